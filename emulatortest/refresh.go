package emulatortest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// This file is test support for the expiry the emulator's clock cannot
// move: the one a client computes with its own clock.

// Refresher holds the token pair of one authorisation for conf and hands
// out its access token, handling expiry the way production code has to
// anyway:
//
//   - like conf.TokenSource, it refreshes when golang.org/x/oauth2 judges
//     the access token expired by this process's clock (Token.Valid: the
//     Expiry computed from expires_in when the token arrived, less
//     x/oauth2's 10-second margin);
//   - in addition, its Client refreshes when the API answers 401 with
//     WWW-Authenticate: Bearer error="invalid_token", and sends the request
//     once more. That is how a client learns of an expiry its own clock
//     does not see: the emulator's clock was moved (AdvanceClock), the two
//     clocks disagree, or the access token alone was revoked.
//
// It is test support and small on purpose: one retry per request, no
// backoff, and the rotated refresh token lives only in memory (Token
// returns the current pair, for a test that stores it the way the
// application would). When the refresh itself fails, for example with
// invalid_grant because the refresh token expired or the grant was revoked,
// the error is returned and the application must send the user through the
// authorisation again.
//
// A Refresher is safe for concurrent use. Requests rejected with the same
// access token cause a single refresh.
type Refresher struct {
	ctx  context.Context
	conf *oauth2.Config

	mu       sync.Mutex
	tok      *oauth2.Token
	rejected bool // the API refused tok's access token: refresh before handing it out
}

// NewRefresher returns a Refresher for conf that starts with tok (which
// needs a refresh token). Token requests use ctx as conf.TokenSource does,
// including the *http.Client stored in ctx under oauth2.HTTPClient.
func NewRefresher(ctx context.Context, conf *oauth2.Config, tok *oauth2.Token) *Refresher {
	return &Refresher{ctx: ctx, conf: conf, tok: tok}
}

// Token returns the current token pair. It refreshes first when the access
// token has expired by this process's clock (as x/oauth2 judges it) or the
// API has rejected it. A failed refresh returns the error (an
// *oauth2.RetrieveError when the token endpoint refused) and keeps the old
// pair, so the next call tries again.
func (r *Refresher) Token() (*oauth2.Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tok.Valid() && !r.rejected {
		return r.tok, nil
	}
	if r.tok == nil || r.tok.RefreshToken == "" {
		return nil, errors.New("emulatortest: the access token has expired and there is no refresh token")
	}
	// A token without an access token is never valid, so this source
	// refreshes at once (and keeps the refresh token if the answer has none).
	fresh, err := r.conf.TokenSource(r.ctx, &oauth2.Token{RefreshToken: r.tok.RefreshToken}).Token()
	if err != nil {
		return nil, err
	}
	r.tok, r.rejected = fresh, false
	return fresh, nil
}

// Reject tells r that the API refused accessToken: the next Token call
// refreshes, unless the pair has been refreshed since.
func (r *Refresher) Reject(accessToken string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tok != nil && r.tok.AccessToken == accessToken {
		r.rejected = true
	}
}

// Client returns an HTTP client that authorises each request with r's
// access token. When the answer is 401 with WWW-Authenticate: Bearer
// error="invalid_token", it calls Reject, gets a new token and sends the
// request once more. A request with a body is sent again only when the
// body can be replayed (Request.GetBody, which http.NewRequest sets for
// bytes.Buffer, bytes.Reader and strings.Reader); otherwise the 401 is
// returned as it is, and the next request refreshes first. When the
// refresh fails, the request fails with that error (errors.As finds the
// *oauth2.RetrieveError).
//
// Like conf.Client, it sends through the *http.Client in r's context under
// oauth2.HTTPClient, else http.DefaultClient.
func (r *Refresher) Client() *http.Client {
	base := oauth2.NewClient(r.ctx, nil) // the context's client, without tokens
	return &http.Client{
		Transport:     &retryTransport{src: r, base: base.Transport},
		CheckRedirect: base.CheckRedirect,
		Jar:           base.Jar,
		Timeout:       base.Timeout,
	}
}

// retryTransport is the http.RoundTripper of Refresher.Client.
type retryTransport struct {
	src  *Refresher
	base http.RoundTripper // nil: http.DefaultTransport
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.src.Token()
	if err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on errors
		}
		return nil, err
	}
	resp, err := t.send(req, req.Body, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !invalidToken(resp.Header) {
		return resp, err
	}
	t.src.Reject(tok.AccessToken) // the next request refreshes first, retried or not
	body, ok := replayBody(req)
	if !ok {
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) // lets the connection be reused
	resp.Body.Close()
	if tok, err = t.src.Token(); err != nil {
		if body != nil {
			body.Close()
		}
		return nil, err
	}
	return t.send(req, body, tok)
}

// send sends a copy of req with body and tok's Authorization header; req
// itself is not changed.
func (t *retryTransport) send(req *http.Request, body io.ReadCloser, tok *oauth2.Token) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Body = body
	tok.SetAuthHeader(out)
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(out)
}

// replayBody returns a fresh copy of req's body for a second attempt, and
// false when the body cannot be replayed.
func replayBody(req *http.Request) (io.ReadCloser, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return req.Body, true
	}
	if req.GetBody == nil {
		return nil, false
	}
	body, err := req.GetBody()
	return body, err == nil
}

// invalidToken reports whether the WWW-Authenticate headers hold a Bearer
// challenge with error="invalid_token" (RFC 6750 §3).
func invalidToken(h http.Header) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		scheme := ""
		for s := v; ; {
			s = strings.TrimLeft(s, " \t,")
			name, rest := cutToken(s)
			if name == "" {
				break // the end, or text this parser does not understand
			}
			after := strings.TrimLeft(rest, " \t")
			if value, tail, ok := authParamValue(after); ok {
				if strings.EqualFold(scheme, "Bearer") && strings.EqualFold(name, "error") && value == "invalid_token" {
					return true
				}
				s = tail
				continue
			}
			if scheme != "" && strings.HasPrefix(after, "=") {
				// A token68 credential such as abc== : skip it.
				s = strings.TrimLeft(after, "=")
				continue
			}
			scheme, s = name, rest // a new challenge
		}
	}
	return false
}

// cutToken splits s after its leading RFC 9110 token.
func cutToken(s string) (token, rest string) {
	i := 0
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// authParamValue reads "= value" at the start of s, where value is a token
// or a quoted string, and returns the value and what follows it.
func authParamValue(s string) (value, rest string, ok bool) {
	s, ok = strings.CutPrefix(s, "=")
	if !ok {
		return "", "", false
	}
	s = strings.TrimLeft(s, " \t")
	if !strings.HasPrefix(s, `"`) {
		value, rest = cutToken(s)
		return value, rest, value != ""
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false // an unterminated quoted string
}
