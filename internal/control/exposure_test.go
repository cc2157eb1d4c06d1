package control

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// controlFor is a control API with no dependencies: the requests below are
// answered by its middleware or by its index, which needs none.
func controlFor(opt Options) http.Handler {
	opt.PublicOrigin = "http://localhost:8080"
	return New(opt, Deps{}).Handler()
}

func get(h http.Handler, remoteAddr, authorization string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "http://localhost:8080/", nil)
	r.RemoteAddr = remoteAddr
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestControlWithoutTokenAnswersOnlyLoopbackPeers(t *testing.T) {
	h := controlFor(Options{})
	for _, peer := range []string{"127.0.0.1:5000", "127.8.9.10:5000", "[::1]:5000"} {
		if w := get(h, peer, ""); w.Code != http.StatusOK {
			t.Errorf("loopback peer %s: status %d, want 200", peer, w.Code)
		}
	}
	for _, peer := range []string{"172.17.0.1:5000", "192.0.2.7:5000", "[2001:db8::1]:5000", "[::ffff:10.0.0.1]:5000", "garbage"} {
		w := get(h, peer, "")
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "--control-token") {
			t.Errorf("remote peer %s: status %d body %s, want 403 naming --control-token", peer, w.Code, w.Body)
		}
	}
}

func TestControlOpenOrTokenAnswersRemotePeers(t *testing.T) {
	if w := get(controlFor(Options{Open: true}), "192.0.2.7:5000", ""); w.Code != http.StatusOK {
		t.Errorf("--control-open: status %d, want 200", w.Code)
	}
	h := controlFor(Options{Token: "s3cret"})
	if w := get(h, "192.0.2.7:5000", "Bearer s3cret"); w.Code != http.StatusOK {
		t.Errorf("token: status %d, want 200", w.Code)
	}
	for _, auth := range []string{"", "Bearer s3cre", "Bearer s3cret ", "Bearer S3CRET", "Basic s3cret", "Bearer s3cret-and-more"} {
		if w := get(h, "127.0.0.1:5000", auth); w.Code != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d, want 401", auth, w.Code)
		}
	}
}

func TestExposureWarningNamesTheFix(t *testing.T) {
	all := &net.TCPAddr{IP: net.IPv4zero, Port: 8080}
	lan := &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 8080}
	loop := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080}
	loop6 := &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}
	for _, tc := range []struct {
		listen net.Addr
		token  string
		open   bool
		want   string // "" for no warning
	}{
		{loop, "", false, ""},
		{loop6, "", true, ""},
		{all, "t", false, ""},
		{all, "", false, "refuses other machines"},
		{lan, "", false, "refuses other machines"},
		{all, "", true, "lets every machine"},
	} {
		got := ExposureWarning(tc.listen, tc.token, tc.open)
		if tc.want == "" {
			if got != "" {
				t.Errorf("%v token=%q open=%v: warning %q, want none", tc.listen, tc.token, tc.open, got)
			}
			continue
		}
		if !strings.Contains(got, tc.want) || !strings.Contains(got, "fix: --control-token") {
			t.Errorf("%v token=%q open=%v: warning %q, want %q and the fix", tc.listen, tc.token, tc.open, got, tc.want)
		}
	}
}
