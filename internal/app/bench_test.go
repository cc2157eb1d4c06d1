package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// BenchmarkCodeExchange measures the authorization_code grant with PKCE
// through the real router and a loopback HTTP server, one exchange at a
// time. Each code comes from an auto-approved /oauth/authorize outside the
// timer.
func BenchmarkCodeExchange(b *testing.B) {
	e := apptest.Start(b, "", func(c *config.Config) { c.AutoApprove = seed.AdminEmail })
	conf := e.OAuthConfig("users:read")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("bench", oauth2.S256ChallengeOption(verifier))
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		resp, err := noFollow.Get(authURL)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		back, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || back.Query().Get("code") == "" {
			b.Fatalf("authorize: %s, redirected to %q", resp.Status, resp.Header.Get("Location"))
		}
		b.StartTimer()
		if _, err := conf.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshGrant measures the refresh grant through the real router
// and a loopback HTTP server, with parallel refresh chains.
func BenchmarkRefreshGrant(b *testing.B) {
	e := apptest.Start(b, "")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		refresh := mintForBench(b, e)
		for pb.Next() {
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/oauth/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(seed.DemoClientID, seed.DemoClientSecret)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var p struct {
				RefreshToken string `json:"refresh_token"`
			}
			err = json.NewDecoder(resp.Body).Decode(&p)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("refresh: %d %v", resp.StatusCode, err)
			}
			refresh = p.RefreshToken
		}
	})
}

func mintForBench(b *testing.B, e *apptest.Emulator) string {
	resp, err := http.Post(e.URL+"/_emulator/tokens", "application/json",
		strings.NewReader(`{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`"}`))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var p struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		b.Fatal(err)
	}
	return p.RefreshToken
}

// BenchmarkEmployeesList measures GET /v2/employees?limit=20 through the real
// router and a loopback HTTP server, with full token verification
// (signature, claims and the revocation lookup) on every call.
func BenchmarkEmployeesList(b *testing.B) {
	e := apptest.Start(b, "")
	resp, err := http.Post(e.URL+"/_emulator/tokens", "application/json",
		strings.NewReader(`{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "users:read"}`))
	if err != nil {
		b.Fatal(err)
	}
	var p struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, e.URL+"/v2/employees?limit=20", nil)
			req.Header.Set("Authorization", "Bearer "+p.AccessToken)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("employees: %d", resp.StatusCode)
			}
		}
	})
}
