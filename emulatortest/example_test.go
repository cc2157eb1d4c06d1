package emulatortest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
)

// Example runs the real authorisation code flow with PKCE against an
// emulator that approves as the demo admin without screens, then checks the
// token at the introspection endpoint. In a test, emulatortest.New(t) starts
// and closes the emulator, and emu.AuthorizeAndExchange or emu.Token do
// these steps in one call.
func Example() {
	emu, err := emulatortest.Start(emulatortest.WithAutoApprove(emulatortest.AdminEmail))
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()

	// The authorisation request, as the application under test builds it.
	conf := emu.OAuth2Config("users:read", "companies:read")
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("urn_pleo_params_oauth_subject", emulatortest.DenmarkCompanyURN))

	// Auto-approve redirects straight back to the redirect URI with a code.
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(authURL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("redirected to", back.Scheme+"://"+back.Host+back.Path, "with state", back.Query().Get("state"))

	// The application exchanges the code.
	tok, err := conf.Exchange(context.Background(), back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token type:", tok.Type(), "scope:", tok.Extra("scope"))

	// The emulator knows the token and the company it is bound to.
	req, _ := http.NewRequest(http.MethodPost, emu.IntrospectURL(), strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(emulatortest.DemoClientID, emulatortest.DemoClientSecret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var info struct {
		Active  bool   `json:"active"`
		Subject string `json:"urn:pleo:params:oauth:subject_urn"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		log.Fatal(err)
	}
	fmt.Println("active:", info.Active, "subject:", info.Subject)

	// Output:
	// redirected to http://localhost:3000/callback with state state-1
	// token type: Bearer scope: users:read companies:read
	// active: true subject: urn:pleo:company:92f464a4-4e7d-5f5b-bb8f-9a2dfa429ce2
}
