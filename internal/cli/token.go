package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/control"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// token mints a token pair from a running emulator through the control API,
// exactly as the full authorisation flow would issue it.
func token(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var cf controlFlags
	fs := newFlagSet("token", stderr, &cf)
	clientID := fs.String("client-id", seed.DemoClientID, "client the tokens are issued to")
	subject := fs.String("subject", seed.DenmarkID, "company ID, urn:pleo:company:<id> or urn:pleo:organization:<id> (default: the demo Acme Denmark company)")
	scope := fs.String("scope", "", `space-separated scopes, e.g. "users:read companies:read" (default: every scope the client may request)`)
	accessTTL := fs.String("access-token-ttl", "", "access token lifetime, e.g. 30s (default: the emulator's --access-token-ttl)")
	refreshTTL := fs.String("refresh-token-ttl", "", "refresh token lifetime, e.g. 1h (default: the emulator's --refresh-token-ttl)")
	asJSON := fs.Bool("json", false, "print the control API's JSON answer as it is")
	c, err := connectNoArgs(fs, args, &cf, getenv)
	if err != nil {
		return err
	}
	req := map[string]string{"client_id": *clientID, "subject": *subject, "scope": *scope}
	if *accessTTL != "" {
		req["access_token_ttl"] = *accessTTL
	}
	if *refreshTTL != "" {
		req["refresh_token_ttl"] = *refreshTTL
	}
	var t control.MintResponse
	return c.printAnswer(ctx, http.MethodPost, "/tokens", req, &t, stdout, *asJSON, func(tw io.Writer) {
		fmt.Fprintf(tw, "access token\t%s\n", t.AccessToken)
		fmt.Fprintf(tw, "token type\t%s\n", t.TokenType)
		fmt.Fprintf(tw, "expires in\t%s\n", time.Duration(t.ExpiresIn)*time.Second)
		fmt.Fprintf(tw, "refresh token\t%s\n", t.RefreshToken)
		fmt.Fprintf(tw, "scope\t%s\n", t.Scope)
		fmt.Fprintf(tw, "subject\t%s\n", t.SubjectURN)
		fmt.Fprintf(tw, "client\t%s\n", *clientID)
	})
}
