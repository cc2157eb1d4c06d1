package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// WriteJSON writes v as JSON with status and contentType. HTML characters
// are not escaped: the body is served as JSON with nosniff, never as HTML.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// JSONMediaType reports whether a Content-Type header names JSON:
// application/json or a +json type (RFC 6839 §3.1), with any parameters.
func JSONMediaType(header string) bool {
	mt, _, err := mime.ParseMediaType(header)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// JSONOptions say how ReadJSON decodes a request body.
type JSONOptions struct {
	// Limit bounds the body; a larger one is BodyTooLarge.
	Limit int64
	// Strict refuses unknown fields and data after the JSON value. Without
	// it unknown fields are ignored, as Jackson-based servers do by default.
	Strict bool
	// Optional lets the body be empty: ReadJSON then returns nil and leaves
	// dst alone. Otherwise an empty body is BodyMissing.
	Optional bool
}

// BodyProblem is what is wrong with a request body.
type BodyProblem int

// The problems ReadJSON reports, in the order it checks them.
const (
	BodyTooLarge    BodyProblem = iota + 1 // over JSONOptions.Limit (RFC 9110 §15.5.14)
	BodyUnreadable                         // the read failed (client gone, broken chunking)
	BodyMissing                            // empty, and not JSONOptions.Optional
	BodyMediaType                          // not a JSON media type (RFC 9110 §15.5.16: 415)
	BodyNotUTF8                            // JSON must be UTF-8 (RFC 8259 §8.1)
	BodyInvalidJSON                        // syntax, types, or (Strict) unknown fields and trailing data
)

// BodyError is a request body ReadJSON refused. Its Error text is a lower
// case sentence without a final full stop, fit for a JSON error message;
// channels with their own vocabulary switch on Problem and inspect Err.
type BodyError struct {
	Problem     BodyProblem
	Limit       int64  // BodyTooLarge
	ContentType string // BodyMediaType: the header as sent
	Err         error  // BodyUnreadable, BodyInvalidJSON: the cause (*json.SyntaxError, *json.UnmarshalTypeError, ...)
}

func (e *BodyError) Error() string {
	switch e.Problem {
	case BodyTooLarge:
		return "the request body is larger than " + ByteSize(e.Limit)
	case BodyUnreadable:
		return "the request body could not be read: " + e.Err.Error()
	case BodyMissing:
		return "the request body is missing"
	case BodyMediaType:
		return fmt.Sprintf("Content-Type %q is not supported: send the body as application/json", e.ContentType)
	case BodyNotUTF8:
		return "the request body is not valid UTF-8"
	}
	return "invalid JSON body: " + e.Err.Error()
}

func (e *BodyError) Unwrap() error { return e.Err }

// errTrailingData is the cause of a Strict body with data after its value.
var errTrailingData = errors.New("trailing data after the JSON object")

// ReadJSON reads r's body into dst. Any refusal is a *BodyError. JSON that
// is not UTF-8 is refused rather than decoded, since decoding would replace
// the bad bytes and store what the client never sent.
func ReadJSON(w http.ResponseWriter, r *http.Request, dst any, opt JSONOptions) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, opt.Limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &BodyError{Problem: BodyTooLarge, Limit: opt.Limit}
	case err != nil:
		return &BodyError{Problem: BodyUnreadable, Err: err}
	case len(body) == 0 && opt.Optional:
		return nil
	case len(body) == 0:
		return &BodyError{Problem: BodyMissing}
	case !JSONMediaType(r.Header.Get("Content-Type")):
		return &BodyError{Problem: BodyMediaType, ContentType: r.Header.Get("Content-Type")}
	case !utf8.Valid(body):
		return &BodyError{Problem: BodyNotUTF8}
	}
	if !opt.Strict {
		if err := json.Unmarshal(body, dst); err != nil {
			return &BodyError{Problem: BodyInvalidJSON, Err: err}
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errTrailingData
	}
	if err != nil {
		return &BodyError{Problem: BodyInvalidJSON, Err: err}
	}
	return nil
}
