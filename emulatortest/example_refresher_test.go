package emulatortest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
)

// ExampleRefresher moves the emulator's clock past the access token's
// lifetime. The client from conf.Client judges expiry by its own clock, by
// which the token has about 15 minutes left, so it sends the token and the
// API answers 401 invalid_token. A Refresher's client refreshes on that
// answer and sends the request once more. In a test, emu.Token(t) and
// emu.AdvanceClock(t, d) do what the two functions below do.
func ExampleRefresher() {
	emu, err := emulatortest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	ctx := context.Background()
	conf := emu.OAuth2Config()
	tok := mintToken(emu, "users:read")

	advanceClock(emu, 16*time.Minute)

	for _, c := range []struct {
		name   string
		client *http.Client
	}{
		{"conf.Client", conf.Client(ctx, tok)},
		{"Refresher", emulatortest.NewRefresher(ctx, conf, tok).Client()},
	} {
		resp, err := c.client.Get(emu.APIBaseURL() + "/v1/introspect")
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(c.name+":", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}

	// Output:
	// conf.Client: 401 Bearer error="invalid_token"
	// Refresher: 200
}

// mintToken gets a token pair for the demo client and the Denmark company
// from the control API, with Expiry computed as x/oauth2 computes it.
func mintToken(emu *emulatortest.Emulator, scope string) *oauth2.Token {
	var tok oauth2.Token
	controlAPI(emu, "/tokens", `{"client_id": "`+emulatortest.DemoClientID+`", "subject": "`+
		emulatortest.DenmarkCompanyURN+`", "scope": "`+scope+`"}`, &tok)
	tok.Expiry = time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	return &tok
}

// advanceClock moves the emulator's clock forward by d.
func advanceClock(emu *emulatortest.Emulator, d time.Duration) {
	controlAPI(emu, "/clock", `{"advance": "`+d.String()+`"}`, nil)
}

// controlAPI posts body to the control API and decodes the answer into out.
func controlAPI(emu *emulatortest.Emulator, path, body string, out any) {
	resp, err := http.Post(emu.URL+"/_emulator"+path, "application/json", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		log.Fatalf("POST /_emulator%s: %s", path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			log.Fatal(err)
		}
	}
}
