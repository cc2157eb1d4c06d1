// Package httpx is the emulator's HTTP plumbing, shared by every channel:
// the input guard that refuses oversized or non-UTF-8 input before a handler
// runs, JSON request decoding and response writing, the security headers of
// HTML pages, the cross-site check on forms and the CSRF double-submit
// token.
//
// It knows no error vocabulary: each channel (the authorisation server's
// RFC 6749 JSON and redirects, the API's Pleo ExceptionInfo, the control
// API's {"error": ...}, the HTML error pages) turns what httpx reports into
// its own answer.
package httpx
