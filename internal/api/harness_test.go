package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// anchor is the seed day of every test database, so data and golden files are stable.
var anchor = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// fixedClock is the API's clock in tests; advance moves it.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeVerifier maps token strings to principals. Like the real verifier it
// refuses a token whose grant has been revoked.
type fakeVerifier struct {
	st     *store.Store
	tokens map[string]oauth.Principal
}

func (v *fakeVerifier) VerifyAccessToken(ctx context.Context, raw string) (oauth.Principal, error) {
	p, ok := v.tokens[raw]
	if !ok {
		return p, errors.New("unknown token")
	}
	if p.GrantID != "" {
		g, err := v.st.Grant(ctx, p.GrantID)
		if err != nil {
			return p, err
		}
		if !g.Active() {
			return p, errors.New("grant revoked")
		}
	}
	return p, nil
}

// env is one test's emulator: a seeded store, the API and an HTTP server.
type env struct {
	t      testing.TB
	st     *store.Store
	api    *api.API
	srv    *httptest.Server
	clock  *fixedClock
	verify *fakeVerifier
	faults *faults.Queue
}

var (
	denmark = oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}
	sweden  = oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.SwedenID}
	org     = oauth.Subject{Kind: oauth.SubjectOrganization, ID: seed.OrganizationID}
)

// newEnv seeds a fresh database and registers the tokens "dk", "se" and
// "org" (every scope, for Denmark, Sweden and the organisation, each with
// its own grant of demo-client) and "dk-none" (Denmark, no scope).
func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, api.Options{})
}

// newEnvWith is newEnv with the API built from opt.
func newEnvWith(t testing.TB, opt api.Options) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(path, seededDatabase(t), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, st: st, clock: &fixedClock{t: anchor.Add(33*time.Hour + 30*time.Minute)}}
	e.verify = &fakeVerifier{st: st, tokens: map[string]oauth.Principal{}}
	e.faults = faults.NewQueue()
	e.api = api.New(opt, st, e.clock, e.verify, e.faults, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
	e.srv = httptest.NewServer(e.api.Handler())
	t.Cleanup(e.srv.Close)
	e.addToken("dk", denmark, oauth.ScopeNames())
	e.addToken("se", sweden, oauth.ScopeNames())
	e.addToken("org", org, oauth.ScopeNames())
	e.addToken("dk-none", denmark, nil)
	return e
}

// seeded is a database file holding the demo seed, written once per test
// binary: every env starts from a copy of it, which is much faster than
// seeding each of the hundreds of databases the tests open.
var seeded struct {
	once  sync.Once
	bytes []byte
	err   error
}

// seededDatabase returns the bytes of a freshly seeded database file.
func seededDatabase(t testing.TB) []byte {
	t.Helper()
	seeded.once.Do(func() {
		dir, err := os.MkdirTemp("", "pleo-api-test-")
		if err != nil {
			seeded.err = err
			return
		}
		defer os.RemoveAll(dir)
		ctx, path := context.Background(), filepath.Join(dir, "db")
		st, err := store.Open(ctx, path)
		if err != nil {
			seeded.err = err
			return
		}
		seeded.err = st.Write(ctx, func(tx *store.Tx) error {
			return seed.Demo(ctx, tx, seed.Options{PublicURL: "http://emulator.test", Anchor: anchor})
		})
		if err := st.Close(); seeded.err == nil {
			seeded.err = err // closing checkpoints the WAL into the file
		}
		if seeded.err == nil {
			seeded.bytes, seeded.err = os.ReadFile(path)
		}
	})
	if seeded.err != nil {
		t.Fatal(seeded.err)
	}
	return seeded.bytes
}

// addToken registers token for subject with scopes, backed by a new grant of demo-client.
func (e *env) addToken(token string, subject oauth.Subject, scopes []string) oauth.Principal {
	e.t.Helper()
	ctx := context.Background()
	g := oauth.Grant{ID: store.NewUUID(), ClientID: seed.DemoClientID, Subject: subject, Scopes: scopes, CreatedAt: e.clock.Now()}
	if err := e.st.Write(ctx, func(tx *store.Tx) error { return tx.InsertGrant(ctx, g) }); err != nil {
		e.t.Fatal(err)
	}
	p := oauth.Principal{TokenID: "jti-" + token, GrantID: g.ID, ClientID: seed.DemoClientID, ClientName: "Demo Accounting App",
		Subject: subject, Scopes: scopes, IssuedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(15 * time.Minute)}
	e.verify.tokens[token] = p
	return p
}

// response is one HTTP answer with its body read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with an optional bearer token and JSON body.
func (e *env) do(method, path, token, body string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// ok asserts status and decodes the JSON body into dst (when not nil).
func (r response) ok(t testing.TB, status int, dst any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if dst != nil {
		if err := json.Unmarshal(r.body, dst); err != nil {
			t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// noContent asserts 204 with an empty body; what names the call.
func (r response) noContent(t testing.TB, what string) {
	t.Helper()
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("%s: %d %s", what, r.status, r.body)
	}
}

// checkDelete checks the DELETE route of path, a resource of Denmark (the
// "dk" token's company): Sweden ("se") gets 404, Denmark 204 without a
// body, and after that GET and DELETE answer 404.
func (e *env) checkDelete(t testing.TB, path string) {
	t.Helper()
	e.do("DELETE", path, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("DELETE", path, "dk", "").noContent(t, "delete")
	e.do("GET", path, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("DELETE", path, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
}

// apiErr is Pleo's ExceptionInfo.
type apiErr struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// fails asserts an error status, a JSON content type and the error type, and
// returns the message.
func (r response) fails(t testing.TB, status int, typ string) string {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q, want JSON", ct)
	}
	var e apiErr
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("decode error body %s: %v", r.body, err)
	}
	if e.Type != typ {
		t.Fatalf("error type %q, want %q (message %q)", e.Type, typ, e.Message)
	}
	return e.Message
}

// pageBody is a list response with items kept raw.
type pageBody struct {
	Data       []json.RawMessage `json:"data"`
	Pagination struct {
		CurrentRequestPagination struct {
			Parameters map[string][]string `json:"parameters"`
			Limit      int                 `json:"limit"`
		} `json:"currentRequestPagination"`
		HasNextPage     bool   `json:"hasNextPage"`
		HasPreviousPage bool   `json:"hasPreviousPage"`
		StartCursor     string `json:"startCursor"`
		EndCursor       string `json:"endCursor"`
		Total           int64  `json:"total"`
	} `json:"pagination"`
}

// ids returns the "id" of every item of a page.
func (p pageBody) ids(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, raw := range p.Data {
		var item struct{ ID string }
		if err := json.Unmarshal(raw, &item); err != nil {
			t.Fatal(err)
		}
		out = append(out, item.ID)
	}
	return out
}

// list fetches one page of a list route.
func (e *env) list(method, path, token, body string) pageBody {
	e.t.Helper()
	var p pageBody
	e.do(method, path, token, body).ok(e.t, http.StatusOK, &p)
	return p
}

// withQuery appends a query parameter to path.
func withQuery(path, kv string) string {
	if strings.Contains(path, "?") {
		return path + "&" + kv
	}
	return path + "?" + kv
}

// walk pages through a list forwards (following endCursor) and then
// backwards from the last page (following startCursor with before), and
// checks both walks return every item exactly once, in the same order, with
// consistent hasNextPage, hasPreviousPage and total. It returns the items.
func (e *env) walk(method, path, token, body string, limit int) []json.RawMessage {
	t := e.t
	t.Helper()
	path = withQuery(path, "limit="+strconv.Itoa(limit))
	var items []json.RawMessage
	var ids []string
	var pages []pageBody
	cursor := ""
	for {
		p := e.list(method, withQueryIf(path, "after", cursor), token, body)
		if len(pages) == 0 && p.Pagination.HasPreviousPage {
			t.Fatalf("first page has a previous page")
		}
		if len(pages) > 0 && !p.Pagination.HasPreviousPage {
			t.Fatalf("page %d has no previous page", len(pages)+1)
		}
		if len(p.Data) > limit || (p.Pagination.HasNextPage && len(p.Data) != limit) {
			t.Fatalf("page %d has %d items with limit %d", len(pages)+1, len(p.Data), limit)
		}
		pages = append(pages, p)
		items = append(items, p.Data...)
		ids = append(ids, p.ids(t)...)
		if !p.Pagination.HasNextPage {
			break
		}
		cursor = p.Pagination.EndCursor
		if len(pages) > 1000 {
			t.Fatal("walk does not end")
		}
	}
	if total := pages[0].Pagination.Total; int(total) != len(ids) {
		t.Fatalf("walked %d items, total says %d", len(ids), total)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("item %s appears twice", id)
		}
		seen[id] = true
	}
	// Backwards from the last page.
	back := slices.Clone(pages[len(pages)-1].ids(t))
	cursor = pages[len(pages)-1].Pagination.StartCursor
	for n := 0; cursor != "" && pages[len(pages)-1].Pagination.HasPreviousPage; n++ {
		p := e.list(method, withQueryIf(path, "before", cursor), token, body)
		if !p.Pagination.HasNextPage {
			t.Fatalf("backward page %d has no next page", n+1)
		}
		back = append(p.ids(t), back...)
		if !p.Pagination.HasPreviousPage {
			break
		}
		cursor = p.Pagination.StartCursor
		if n > 1000 {
			t.Fatal("backward walk does not end")
		}
	}
	if !slices.Equal(ids, back) {
		t.Fatalf("backward walk differs from forward walk:\nforward  %v\nbackward %v", ids, back)
	}
	return items
}

func withQueryIf(path, key, value string) string {
	if value == "" {
		return path
	}
	return withQuery(path, key+"="+value)
}

// pretty re-indents JSON for golden files and messages.
func pretty(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("indent %s: %v", b, err)
	}
	return append(out.Bytes(), '\n')
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testLog sends the API's log lines (warnings and errors) to the test log.
type testLog struct{ t testing.TB }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
