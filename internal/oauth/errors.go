package oauth

import (
	"errors"

	oautherrors "github.com/go-oauth2/oauth2/v4/errors"
)

// Error is an RFC 6749 error: a code from go-oauth2's vocabulary
// (errors.Err*, §4.1.2.1 and §5.2), a human description and the HTTP status
// it is answered with. The authorisation server writes every one of them
// through one function per channel: JSON for the token, introspection and
// revocation endpoints, a redirect or an error page for authorize.
type Error struct {
	Code        error // one of go-oauth2's errors.Err* values (see ErrorCode)
	Description string
	// StatusCode overrides the code's usual status (Status); 0 keeps it.
	// Only injected faults set it.
	StatusCode int
}

// NewError returns an *Error with code's usual status.
func NewError(code error, description string) *Error {
	return &Error{Code: code, Description: description}
}

func (e *Error) Error() string { return e.Code.Error() + ": " + e.Description }

// Status is the HTTP status of the error: StatusCode when set, else the
// code's usual status (ErrorStatus).
func (e *Error) Status() int {
	if e.StatusCode != 0 {
		return e.StatusCode
	}
	return ErrorStatus(e.Code)
}

// ErrorStatus is the usual HTTP status of an error code: 401 for
// invalid_client (RFC 6749 §5.2), 503 for temporarily_unavailable, 500 for
// server_error, 400 for every other code. (Literal numbers keep this
// package free of net/http.)
func ErrorStatus(code error) int {
	switch code {
	case oautherrors.ErrInvalidClient:
		return 401
	case oautherrors.ErrTemporarilyUnavailable:
		return 503
	case oautherrors.ErrServerError:
		return 500
	}
	return 400
}

// ErrorCode returns go-oauth2's error value named name ("invalid_grant"),
// or a new error with that name for a code go-oauth2 does not list.
func ErrorCode(name string) error {
	for code := range oautherrors.Descriptions {
		if code.Error() == name {
			return code
		}
	}
	return errors.New(name)
}
