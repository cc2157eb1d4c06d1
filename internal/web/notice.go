package web

import (
	"crypto/rand"
	"net/http"
	"sync"
	"time"
)

// noticeCookie names the one-time confirmation waiting for the browser on
// a page. The cookie holds only a random ID; the message itself stays on
// the server.
const noticeCookie = "pleo_emulator_notice"

// noticeTTL is how long a confirmation waits to be shown.
const noticeTTL = time.Minute

// maxNotices bounds the memory: beyond it, the oldest waiting confirmations
// are forgotten first (they are only confirmations).
const maxNotices = 10_000

// noticeBox holds one-time confirmations ("flash messages") for one page. A confirmation is stored on the server under a
// random ID that only the browser that caused it receives, in a cookie
// scoped to the page; showing it deletes both. So a crafted link cannot
// show a false message, and a reload does not repeat a true one. Safe for
// concurrent use.
type noticeBox struct {
	secureCookie bool
	path         string // the page's path, which scopes the cookie

	mu   sync.Mutex
	byID map[string]notice
}

type notice struct {
	userID  string // only this user's session sees it
	message string
	expires time.Time
}

func newNoticeBox(secureCookie bool, path string) *noticeBox {
	return &noticeBox{secureCookie: secureCookie, path: path, byID: map[string]notice{}}
}

// put stores message for userID and hands the browser its ID.
func (b *noticeBox) put(w http.ResponseWriter, userID, message string, now time.Time) {
	id := rand.Text()
	b.mu.Lock()
	for k, n := range b.byID {
		if !now.Before(n.expires) {
			delete(b.byID, k)
		}
	}
	for len(b.byID) >= maxNotices {
		oldest := ""
		for k, n := range b.byID {
			if oldest == "" || n.expires.Before(b.byID[oldest].expires) {
				oldest = k
			}
		}
		delete(b.byID, oldest)
	}
	b.byID[id] = notice{userID: userID, message: message, expires: now.Add(noticeTTL)}
	b.mu.Unlock()
	b.setCookie(w, id, int(noticeTTL/time.Second))
}

// take returns the confirmation waiting for this browser and userID, or ""
// and forgets it either way.
func (b *noticeBox) take(w http.ResponseWriter, r *http.Request, userID string, now time.Time) string {
	c, err := r.Cookie(noticeCookie)
	if err != nil {
		return ""
	}
	b.setCookie(w, "", -1)
	b.mu.Lock()
	n, ok := b.byID[c.Value]
	delete(b.byID, c.Value)
	b.mu.Unlock()
	if !ok || n.userID != userID || !now.Before(n.expires) {
		return ""
	}
	return n.message
}

func (b *noticeBox) setCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: noticeCookie, Value: value, Path: b.path, MaxAge: maxAge,
		HttpOnly: true, Secure: b.secureCookie, SameSite: http.SameSiteLaxMode})
}
