package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// contentTypeJSON is the content type Pleo's External API declares for its
// request and response bodies.
const contentTypeJSON = "application/json;charset=UTF-8"

// MaxBodyBytes bounds every request body; larger bodies answer 413.
const MaxBodyBytes = 1 << 20

// apiError is an error the API renders as Pleo's ExceptionInfo,
// {"type": "UPPER_SNAKE_CODE", "message": "..."}, with Status.
type apiError struct {
	Status  int    `json:"-"`
	Type    string `json:"type"`
	Message string `json:"message,omitempty"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Type, e.Message) }

// The error types the API uses. Pleo's documents name the three 400 types
// (for request parameters, request bodies and unreadable JSON); the others
// are emulator choices.
const (
	typeParameterValidation = "PARAMETER_VALIDATION_FAILED"
	typeValidation          = "VALIDATION_FAILED"
	typeJSONMapping         = "JSON_MAPPING_EXCEPTION"
	typeUnauthorized        = "UNAUTHORIZED"
	typeInsufficientScope   = "INSUFFICIENT_SCOPE"
	typeForbidden           = "FORBIDDEN"
	typeNotFound            = "NOT_FOUND"
	typeConflict            = "CONFLICT"
	typePayloadTooLarge     = "PAYLOAD_TOO_LARGE"
	typeUnsupportedMedia    = "UNSUPPORTED_MEDIA_TYPE"
	typeRequestTimeout      = "REQUEST_TIMEOUT"
	typeInternal            = "INTERNAL_ERROR"
)

// badParam is a 400 for a query or path parameter, naming it.
func badParam(name, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: typeParameterValidation,
		Message: fmt.Sprintf("Parameter '%s' %s", name, fmt.Sprintf(format, args...))}
}

// badField is a 400 for a field of the request body, naming it.
func badField(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: typeValidation,
		Message: fmt.Sprintf("Field '%s' %s", field, fmt.Sprintf(format, args...))}
}

// notFound is a 404. Foreign IDs (another company's data) answer the same
// as unknown IDs, so a token cannot probe for other companies' data.
func notFound(message string) *apiError {
	return &apiError{Status: http.StatusNotFound, Type: typeNotFound, Message: message}
}

// forbidden is a 403 for a request that names a company or organisation
// outside the token's subject.
func forbidden(message string) *apiError {
	return &apiError{Status: http.StatusForbidden, Type: typeForbidden, Message: message}
}

// conflictError is a 409: the write clashes with data that exists (Pleo
// documents these 409s without a body; the type is an emulator choice).
func conflictError(message string) *apiError {
	return &apiError{Status: http.StatusConflict, Type: typeConflict, Message: message}
}

// writeJSON writes v as JSON with status and content type.
var writeJSON = httpx.WriteJSON

// RefuseRequest writes a request refused before it reaches the API in
// Pleo's error shape: 413 PAYLOAD_TOO_LARGE (a body over MaxBodyBytes), 408
// REQUEST_TIMEOUT (a body that did not arrive in time) or 400
// PARAMETER_VALIDATION_FAILED (a parameter that is not UTF-8).
func RefuseRequest(w http.ResponseWriter, _ *http.Request, status int, message string) {
	typ := typeParameterValidation
	switch status {
	case http.StatusRequestEntityTooLarge:
		typ = typePayloadTooLarge
	case http.StatusRequestTimeout:
		typ = typeRequestTimeout
	}
	writeJSON(w, status, contentTypeJSON, &apiError{Status: status, Type: typ, Message: strings.ToUpper(message[:1]) + message[1:] + "."})
}

// statusClientClosed is logged when the client closed the connection
// before the answer was ready (nginx's convention).
const statusClientClosed = 499

// writeError renders err: an *apiError as itself, a bad cursor position as
// a 400, anything else as a logged 500 with a generic message.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, store.ErrBadPosition):
		ae = &apiError{Status: http.StatusBadRequest, Type: typeParameterValidation,
			Message: "The cursor does not belong to this list or its sort order."}
	case r.Context().Err() != nil:
		// The client went away (or timed out); nobody reads the answer and
		// it is not a server fault. 499 is the conventional log status.
		w.WriteHeader(statusClientClosed)
		return
	default:
		a.log.LogAttrs(r.Context(), slog.LevelError, "api: internal error",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
		ae = &apiError{Status: http.StatusInternalServerError, Type: typeInternal, Message: "Internal server error."}
	}
	writeJSON(w, ae.Status, contentTypeJSON, ae)
}

// decodeBody reads a JSON request body of at most MaxBodyBytes into dst
// (httpx.ReadJSON) and turns a refusal into Pleo's error shape. Unknown
// fields are ignored, as Jackson-based servers like Pleo's do by default.
// An empty body is an error only when required. A body in another media
// type, or without a Content-Type, is 415, as Spring answers it.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any, required bool) error {
	err := httpx.ReadJSON(w, r, dst, httpx.JSONOptions{Limit: MaxBodyBytes, Optional: !required})
	var be *httpx.BodyError
	if !errors.As(err, &be) {
		return err
	}
	bad := func(message string, args ...any) error {
		return &apiError{Status: http.StatusBadRequest, Type: typeJSONMapping, Message: fmt.Sprintf(message, args...)}
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case be.Problem == httpx.BodyTooLarge:
		return &apiError{Status: http.StatusRequestEntityTooLarge, Type: typePayloadTooLarge,
			Message: fmt.Sprintf("The request body exceeds %d bytes.", MaxBodyBytes)}
	case be.Problem == httpx.BodyUnreadable:
		return bad("The request body could not be read.")
	case be.Problem == httpx.BodyMissing:
		return bad("The request body is missing.")
	case be.Problem == httpx.BodyMediaType:
		return &apiError{Status: http.StatusUnsupportedMediaType, Type: typeUnsupportedMedia,
			Message: fmt.Sprintf("Content-Type %q is not supported: send the body as application/json.", be.ContentType)}
	case be.Problem == httpx.BodyNotUTF8:
		return bad("The request body is not valid UTF-8.")
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return bad("Field '%s' must be %s, not %s.", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &typeErr):
		return bad("The request body must be %s, not %s.", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return bad("The request body is not valid JSON (at byte %d).", syntaxErr.Offset)
	}
	return bad("The request body is not valid JSON.")
}

// jsonKind names a Go kind as the JSON type a client should send.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int32", "int64", "float64":
		return "a number"
	}
	return "a " + kind
}
