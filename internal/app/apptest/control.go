package apptest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Control sends a JSON request to the control API (path below /_emulator)
// and decodes a non-empty answer into out, if out is not nil. It returns
// the status.
func (e *Emulator) Control(t testing.TB, method, path, body string, out any) int {
	t.Helper()
	return e.ControlWithToken(t, method, path, body, "", out)
}

// ControlWithToken is Control with the control token, when not empty, as
// a bearer token.
func (e *Emulator) ControlWithToken(t testing.TB, method, path, body, token string, out any) int {
	t.Helper()
	var header http.Header
	if token != "" {
		header = http.Header{"Authorization": {"Bearer " + token}}
	}
	resp, raw := Send(t, method, e.URL+"/_emulator"+path, "application/json", header, strings.NewReader(body))
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal([]byte(raw), out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

// Minted is the control API's answer to POST /_emulator/tokens.
type Minted struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	SubjectURN   string `json:"subject_urn"`
	Error        string `json:"error"`
}

// Mint mints a token pair through the control API; body is the JSON request.
func (e *Emulator) Mint(t testing.TB, body string) Minted {
	t.Helper()
	var m Minted
	if st := e.Control(t, "POST", "/tokens", body, &m); st != http.StatusOK {
		t.Fatalf("mint: %d %s", st, m.Error)
	}
	return m
}
