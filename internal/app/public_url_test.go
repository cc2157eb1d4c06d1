package app_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// TestPlaygroundCallbackFollowsThePublicURL: a database seeded under one
// public URL and started under another (a Docker volume reused with a new
// PLEO_EMULATOR_PUBLIC_URL) moves the demo clients' playground callback to
// the new URL, so the playground keeps working; the other URIs stay.
func TestPlaygroundCallbackFollowsThePublicURL(t *testing.T) {
	first := apptest.Start(t, "")
	oldCallback := first.URL + seed.PlaygroundCallbackPath
	first.Stop()

	second := apptest.Start(t, first.DBPath) // another port, so another public URL
	for _, id := range []string{seed.DemoClientID, seed.PublicClientID} {
		c, err := second.Store.Client(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		want := second.URL + seed.PlaygroundCallbackPath
		if !slices.Contains(c.RedirectURIs, want) || slices.Contains(c.RedirectURIs, oldCallback) {
			t.Errorf("%s redirect URIs = %v, want %s instead of %s", id, c.RedirectURIs, want, oldCallback)
		}
		if !slices.Contains(c.RedirectURIs, "http://localhost:3000/callback") {
			t.Errorf("%s lost its other redirect URIs: %v", id, c.RedirectURIs)
		}
	}
	b := apptest.NewBrowser(t)
	resp, body := b.Get(second.URL + "/playground")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "has not registered") {
		t.Errorf("playground after the public URL changed: %d, disabled=%v", resp.StatusCode, strings.Contains(body, "has not registered"))
	}
}
