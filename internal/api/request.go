package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// This file holds helpers shared by the write routes of tags, tax codes,
// vendors and the chart of accounts.

// requestFields is a JSON object request body decoded into V, with the
// keys it carries (with a non-null value), so that a missing required
// field can be named even when its zero value is valid (archived: false).
type requestFields[V any] struct {
	v    V
	keys map[string]bool
}

func (b *requestFields[V]) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, &b.v); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	b.keys = map[string]bool{}
	for k, v := range raw {
		if string(v) != "null" {
			b.keys[k] = true
		}
	}
	return nil
}

// require returns a 400 naming the first of fields the body lacks (or
// sends as null).
func (b *requestFields[V]) require(fields ...string) error {
	return b.requireIn("", fields...)
}

// requireIn is require for an object nested in the body at path (such as
// "items[3]."): the 400 names the field as path+field.
func (b *requestFields[V]) requireIn(path string, fields ...string) error {
	for _, f := range fields {
		if !b.keys[f] {
			return badField(path+f, "is required.")
		}
	}
	return nil
}

// requiredUUIDField returns a 400 when a required body field that holds a
// UUID is empty or not a UUID.
func requiredUUIDField(field, value string) error {
	if value == "" {
		return badField(field, "is required.")
	}
	if !oauth.IsUUID(value) {
		return badField(field, "must be a UUID, not %q.", value)
	}
	return nil
}

// readFields decodes a JSON object request body into a V (decodeBody; an
// empty body is an error only when bodyRequired) and returns a 400 naming
// the first of the required fields it lacks or sends as null.
func readFields[V any](w http.ResponseWriter, r *http.Request, bodyRequired bool, required ...string) (V, error) {
	var body requestFields[V]
	if err := decodeBody(w, r, &body, bodyRequired); err != nil {
		return body.v, err
	}
	return body.v, body.require(required...)
}

// notBlank returns a 400 naming field when value is empty or only spaces.
func notBlank(field, value string) error {
	if strings.TrimSpace(value) == "" {
		return badField(field, "must not be blank.")
	}
	return nil
}

// checkList validates a body field holding a list: at most max values,
// each accepted by check (when not nil); expect completes "must be ...".
func checkList(field string, values []string, max int, check func(string) bool, expect string) error {
	if len(values) > max {
		return badField(field, "has %d items; at most %d are allowed.", len(values), max)
	}
	if check == nil {
		return nil
	}
	for i, v := range values {
		if !check(v) {
			return badField(fmt.Sprintf("%s[%d]", field, i), "must be %s, not %q.", expect, v)
		}
	}
	return nil
}

// uuidList validates a body field holding at most max UUIDs and returns
// them in lower case.
func uuidList(field string, values []string, max int) ([]string, error) {
	if err := checkList(field, values, max, oauth.IsUUID, "a UUID"); err != nil {
		return nil, err
	}
	return lowerUUIDs(values), nil
}

// lowerUUIDs returns a copy of values in lower case (nil stays nil).
func lowerUUIDs(values []string) []string {
	out := slices.Clone(values)
	for i, v := range out {
		out[i] = strings.ToLower(v)
	}
	return out
}

// boolParam reads an optional boolean query parameter: true or false.
func boolParam(q url.Values, name string) (bool, error) {
	switch v := q.Get(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, badParam(name, "must be true or false, not %q.", v)
	}
}

// bodyCompany checks the companyId of a request body: a UUID of a company
// the token may see. A company outside the token's subject is 403, as for
// query parameters.
func (a *API) bodyCompany(ctx context.Context, p oauth.Principal, field, value string) (string, error) {
	if !oauth.IsUUID(value) {
		return "", badField(field, "must be a UUID, not %q.", value)
	}
	id := strings.ToLower(value)
	ok, err := a.canSee(ctx, p, id)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", forbidden("The access token does not grant access to company " + id + ".")
	}
	return id, nil
}

// storeError renders an error of the store: ErrNotFound as missing (when
// not nil), ErrConflict as a 409 with conflictMessage (when not empty),
// pleo.ErrInvalid as a 400 naming the field. Other errors are returned as
// they are (500).
func storeError(err error, missing *apiError, conflictMessage string) error {
	switch {
	case errors.Is(err, store.ErrNotFound) && missing != nil:
		return missing
	case errors.Is(err, store.ErrConflict) && conflictMessage != "":
		return conflictError(conflictMessage)
	case errors.Is(err, pleo.ErrInvalid):
		// pleo.Invalid reads "invalid value: <field>: <message>".
		rest := strings.TrimPrefix(err.Error(), pleo.ErrInvalid.Error()+": ")
		if field, msg, ok := strings.Cut(rest, ": "); ok {
			return badField(field, "%s.", strings.TrimSuffix(msg, "."))
		}
		return &apiError{Status: http.StatusBadRequest, Type: typeValidation, Message: rest}
	}
	return err
}

// getByID answers GET on a single resource: the one whose ID is the path
// parameter param, among the companies the token may see, as {"data": ...};
// an unknown or foreign ID is missing (404).
func getByID[T any](a *API, w http.ResponseWriter, r *http.Request, p oauth.Principal, param string,
	fetch func(ctx context.Context, companies []string, id string) (T, error), missing *apiError, contentType string) error {
	id, companies, err := a.resourceID(r, p, param)
	if err != nil {
		return err
	}
	v, err := fetch(r.Context(), companies, id)
	if err != nil {
		return storeError(err, missing, "")
	}
	writeJSON(w, http.StatusOK, contentType, dataResponse[T]{Data: v})
	return nil
}

// deleteByID answers DELETE on a single resource with 204: the one whose ID
// is the path parameter param, among the companies the token may see; an
// unknown or foreign ID is missing (404).
func deleteByID(a *API, w http.ResponseWriter, r *http.Request, p oauth.Principal, param string,
	remove func(ctx context.Context, companies []string, id string) error, missing *apiError) error {
	id, companies, err := a.resourceID(r, p, param)
	if err != nil {
		return err
	}
	if err := remove(r.Context(), companies, id); err != nil {
		return storeError(err, missing, "")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
