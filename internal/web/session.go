package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// The playground keeps each browser's flow in server memory, keyed by a
// random cookie, so secrets (client secret, PKCE verifier, tokens) never
// travel in URLs or hidden fields. A restart forgets every flow.
const (
	playCookie      = "pleo_emulator_playground"
	playIdle        = 12 * time.Hour // a flow untouched this long is forgotten
	maxPlaySessions = 500            // the oldest flow is forgotten beyond this
	maxExchanges    = 40             // older exchanges are dropped from a flow's log
)

// playState is one browser's playground flow. mu serialises the requests
// of one browser; handlers hold it while they read or change the state.
type playState struct {
	mu      sync.Mutex
	touched time.Time // real time of the last use, for expiry

	// Step 1: the client and the request's choices.
	ClientID    string
	ClientName  string
	Secret      string // confidential clients only
	Public      bool
	Scopes      []string
	SubjectHint string // URN or ""
	RedirectURI string

	// Step 2: the request sent.
	State        string // "" once a callback has consumed it
	SentState    string // the state value sent, kept for display
	Verifier     string
	Challenge    string
	AuthorizeURL string

	// Step 3: what came back.
	Callback *callbackResult

	// Step 4: the current tokens.
	Tokens *tokenSet

	// Step 5 form values and the log.
	CallMethod, CallPath, CallBody string
	Exchanges                      []exchange
	nextExchange                   int

	// Receiver is the built-in webhook receiver subscribed with the tokens.
	Receiver *playReceiver

	// notice and err are shown once, on the next page view.
	notice, err string
}

// callbackResult is what arrived at /playground/callback.
type callbackResult struct {
	Query     [][2]string // parameters in arrival order
	StateOK   bool
	StateMsg  string
	Code      string
	CodeUsed  bool
	Error     string
	ErrorDesc string
}

// tokenSet is the latest successful token response.
type tokenSet struct {
	AccessToken  string
	RefreshToken string
	TokenType    string
	ExpiresIn    int64
	Scope        string
	ReceivedAt   time.Time // emulator time
}

// addExchange appends e to the log, numbering it and dropping the oldest beyond the limit.
func (s *playState) addExchange(e exchange) {
	s.nextExchange++
	e.N = s.nextExchange
	s.Exchanges = append(s.Exchanges, e)
	if len(s.Exchanges) > maxExchanges {
		s.Exchanges = s.Exchanges[len(s.Exchanges)-maxExchanges:]
	}
}

// playSessions holds every browser's flow.
type playSessions struct {
	mu sync.Mutex
	m  map[string]*playState
}

func newPlaySessions() *playSessions { return &playSessions{m: map[string]*playState{}} }

// get returns the flow of the browser's cookie, or nil.
func (p *playSessions) get(r *http.Request) *playState {
	c, err := r.Cookie(playCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.m[c.Value]
	if s == nil {
		return nil
	}
	if now.Sub(s.touched) > playIdle {
		delete(p.m, c.Value)
		return nil
	}
	s.touched = now
	return s
}

// getOrCreate returns the browser's flow, starting one (and setting the
// cookie) when there is none.
func (p *playSessions) getOrCreate(w http.ResponseWriter, r *http.Request, secure bool) *playState {
	if s := p.get(r); s != nil {
		return s
	}
	id := randomString(32)
	s := &playState{touched: time.Now()}
	p.mu.Lock()
	p.evict()
	p.m[id] = s
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: playCookie, Value: id, Path: "/playground", HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode})
	return s
}

// drop forgets the browser's flow and clears its cookie.
func (p *playSessions) drop(w http.ResponseWriter, r *http.Request, secure bool) {
	if c, err := r.Cookie(playCookie); err == nil {
		p.mu.Lock()
		delete(p.m, c.Value)
		p.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: playCookie, Value: "", Path: "/playground", HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// evict drops expired flows and, when full, the least recently used one; the caller holds mu.
func (p *playSessions) evict() {
	now := time.Now()
	var oldestID string
	var oldest time.Time
	for id, s := range p.m {
		if now.Sub(s.touched) > playIdle {
			delete(p.m, id)
			continue
		}
		if oldestID == "" || s.touched.Before(oldest) {
			oldestID, oldest = id, s.touched
		}
	}
	if len(p.m) >= maxPlaySessions && oldestID != "" {
		delete(p.m, oldestID)
	}
}

// randomString returns n random bytes, base64url encoded without padding.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
