package web

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRelative(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Second, "just now"},
		{-10 * time.Second, "in a few seconds"},
		{time.Minute, "1 minute ago"},
		{5 * time.Minute, "5 minutes ago"},
		{-15 * time.Minute, "in 15 minutes"},
		{time.Hour, "1 hour ago"},
		{3 * time.Hour, "3 hours ago"},
		{30 * time.Hour, "1 day ago"},
		{3 * 24 * time.Hour, "3 days ago"},
		{30 * 24 * time.Hour, "on 3 Dec 2025"},
	} {
		if got := relative(now.Add(-tc.d), now); got != tc.want {
			t.Errorf("%v ago: %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestRedactHeader(t *testing.T) {
	basic := basicAuth("my client", "s3cr+t/=")
	if got := redactHeader("Authorization", basic); got != "Basic [redacted; client_id my client and its secret]" {
		t.Errorf("Basic: %q", got)
	}
	if got := redactHeader("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature"); got != "Bearer eyJhbGciOiJSUzI1… [redacted]" {
		t.Errorf("Bearer: %q", got)
	}
	if got := redactHeader("Accept", "application/json"); got != "application/json" {
		t.Errorf("Accept: %q", got)
	}
	form := url.Values{"client_id": {"c"}, "client_secret": {"hunter2"}, "token": {"t"}}
	if got := displayRequestBody(form, form.Encode()); strings.Contains(got, "hunter2") || !strings.Contains(got, "client_secret=REDACTED") {
		t.Errorf("body: %q", got)
	}
}

func TestDecodeJWT(t *testing.T) {
	// {"alg":"none","typ":"at+jwt"} . {"sub":"x","exp":1767366000,"aud":["a"]}
	tok := "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4IiwiZXhwIjoxNzY3MzY2MDAwLCJhdWQiOlsiYSJdfQ.sig"
	d, err := decodeJWT(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Header, `"typ": "at+jwt"`) || strings.Join(d.order, ",") != "sub,exp,aud" {
		t.Errorf("decoded %+v", d)
	}
	now := time.Unix(1767366000, 0).Add(-15 * time.Minute)
	if got := claimValue("exp", d.claims["exp"], now); got != "1767366000 (2 Jan 2026 15:00:00 UTC, in 15 minutes)" {
		t.Errorf("exp: %q", got)
	}
	if got := claimValue("aud", d.claims["aud"], now); got != `["a"]` {
		t.Errorf("aud: %q", got)
	}
	if _, err := decodeJWT("opaque-token"); err == nil {
		t.Error("an opaque token decoded")
	}
}
