package httpx

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"
)

// RefuseFunc writes a request GuardInput refuses, in the error channel of
// the routes it guards, with status 400, 408 or 413 and a message in lower
// case without a final full stop.
type RefuseFunc func(w http.ResponseWriter, r *http.Request, status int, message string)

// GuardInput refuses, before any handler runs, input that no endpoint
// accepts, and writes the refusal with refuse:
//   - a query parameter, or a parameter of a form-encoded body, that is not
//     valid UTF-8: 400;
//   - a body over limit bytes: 413 (RFC 9110 §15.5.14). A Content-Length
//     over the limit is refused before reading, so a client that declares
//     more than it sends gets its answer at once; a chunked body is refused
//     as soon as limit+1 bytes have arrived;
//   - a body that has not arrived when the server's ReadTimeout passes: 408
//     (RFC 9110 §15.5.9).
//
// A 413 or 408 closes the connection. A body within the limit is read into
// memory and handed on; any other read error (the client went away, broken
// chunked encoding) is handed on after the bytes that did arrive, for the
// handler to report as it reports any unreadable body.
func GuardInput(limit int64, refuse RefuseFunc) func(http.Handler) http.Handler {
	tooLarge := "the request body is larger than " + ByteSize(limit)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if name := notUTF8(r.URL.Query()); name != "" {
				refuse(w, r, http.StatusBadRequest, "query parameter "+name+" is not valid UTF-8")
				return
			}
			if r.ContentLength > limit {
				w.Header().Set("Connection", "close")
				refuse(w, r, http.StatusRequestEntityTooLarge, tooLarge)
				return
			}
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				w.Header().Set("Connection", "close")
				refuse(w, r, http.StatusRequestEntityTooLarge, tooLarge)
				return
			case errors.Is(err, os.ErrDeadlineExceeded):
				w.Header().Set("Connection", "close")
				refuse(w, r, http.StatusRequestTimeout, "the request body did not arrive in time")
				return
			}
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
				form, _ := url.ParseQuery(string(body))
				if name := notUTF8(form); name != "" {
					refuse(w, r, http.StatusBadRequest, "form parameter "+name+" is not valid UTF-8")
					return
				}
			}
			var rest io.Reader = bytes.NewReader(body)
			if err != nil {
				rest = io.MultiReader(rest, failingReader{err})
			}
			r.Body = io.NopCloser(rest)
			next.ServeHTTP(w, r)
		})
	}
}

// notUTF8 returns the name, quoted, of the first parameter (in name order)
// whose name or a value is not valid UTF-8, or "" when all are.
func notUTF8(v url.Values) string {
	for _, name := range slices.Sorted(maps.Keys(v)) {
		valid := utf8.ValidString(name)
		for _, value := range v[name] {
			valid = valid && utf8.ValidString(value)
		}
		if !valid {
			return strconv.Quote(name)
		}
	}
	return ""
}

// failingReader fails every read with err.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// ByteSize writes a byte count for people: "64 KiB", "1 MiB", "100 bytes".
func ByteSize(n int64) string {
	switch {
	case n > 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n > 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
