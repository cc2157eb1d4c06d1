package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The code exchange phase needs one fresh authorisation code per request. A
// client registered with auto-approve gets a code from GET /oauth/authorize
// without login or consent screens, so the codes are issued before the timed
// run and each is exchanged exactly once during it.
const (
	benchClientID    = "pleo-bench"
	benchRedirectURI = "http://127.0.0.1:9/callback"
	benchVerifier    = "pleo-bench-code-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
	benchAutoApprove = "admin@acme.test" // the demo seed's admin
)

// exchangeLoad exchanges pre-issued codes from clients concurrent clients
// for d. Every exchange signs one access token, so the run needs at most
// signing-rate × d codes; a margin covers a faster run.
func exchangeLoad(s *server, clients int, d time.Duration, signRate float64) ([][2]string, error) {
	c := newClient(clients)
	secret, err := registerBenchClient(c, s.url)
	if err != nil {
		return nil, err
	}
	want := int(math.Ceil(signRate*d.Seconds()*1.5)) + clients
	start := time.Now()
	codes, err := issueCodes(c, s.url, want)
	if err != nil {
		return nil, err
	}
	issueRate := float64(len(codes)) / time.Since(start).Seconds()
	rows, _, err := measure(s, d, loadRun{
		name: "exchange", label: fmt.Sprintf("code exchange (authorization_code + PKCE), %d concurrent clients", clients),
		memory: "the code exchange load", signRate: signRate,
		wrk:    func() (wrkResult, error) { return wrkExchange(s, codes, secret, clients, d) },
		goLoad: func() (wrkResult, error) { return goExchange(c, s.url, codes, secret, clients, d) },
	})
	return append([][2]string{{"authorisation codes issued (GET /oauth/authorize, auto-approve, 4 clients)", fmt.Sprintf("%.0f codes/s", issueRate)}}, rows...), err
}

// registerBenchClient registers the auto-approving confidential client and
// returns its secret.
func registerBenchClient(c *http.Client, base string) (string, error) {
	body, _ := json.Marshal(map[string]any{"client_id": benchClientID, "name": "pleo-bench", "type": "confidential",
		"redirect_uris": []string{benchRedirectURI}, "scopes": []string{"users:read"}, "auto_approve": benchAutoApprove})
	resp, err := c.Post(base+"/_emulator/clients", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Secret string `json:"client_secret"`
	}
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("register client: %s: %s", resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.Secret, nil
}

// issueCodes runs n authorisation requests (four at a time) and returns the codes.
func issueCodes(c *http.Client, base string, n int) ([]string, error) {
	sum := sha256.Sum256([]byte(benchVerifier))
	authURL := base + "/oauth/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {benchClientID}, "redirect_uri": {benchRedirectURI},
		"scope": {"users:read"}, "state": {"bench"}, "code_challenge_method": {"S256"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
	}.Encode()
	noFollow := *c
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	codes := make([]string, n)
	next := make(chan int)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range next {
				code, err := issueCode(&noFollow, authURL)
				if err != nil {
					errs <- err
					return
				}
				codes[i] = code
			}
		})
	}
	var err error
feed:
	for i := range n {
		select {
		case next <- i:
		case err = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	return codes, err
}

func issueCode(c *http.Client, authURL string) (string, error) {
	resp, err := c.Get(authURL)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Query().Get("code") == "" {
		return "", fmt.Errorf("authorize: %s, redirected to %q", resp.Status, resp.Header.Get("Location"))
	}
	return back.Query().Get("code"), nil
}

func exchangeForm(code string) string {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {benchRedirectURI},
		"code_verifier": {benchVerifier}}.Encode()
}

// goExchange exchanges the codes from clients goroutines for d.
func goExchange(c *http.Client, base string, codes []string, secret string, clients int, d time.Duration) (wrkResult, error) {
	queue := make(chan string, len(codes))
	for _, code := range codes {
		queue <- code
	}
	close(queue)
	start := time.Now()
	r := goLoop(clients, d, func(int) error {
		code, ok := <-queue
		if !ok {
			return errStop
		}
		req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(exchangeForm(code)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(benchClientID, secret)
		_, err := send(c, req)
		return err
	})
	if time.Since(start) < d {
		return wrkResult{}, fmt.Errorf("the %d codes ran out before %s", len(codes), d)
	}
	return r, nil
}

// exchangeScript exchanges each queued code once (see queueScript).
const exchangeScript = queueScript + `
function request()
  return wrk.format(nil, nil, nil, "grant_type=authorization_code&redirect_uri=" .. REDIRECT .. "&code_verifier=" .. VERIFIER .. "&code=" .. take())
end
`

// wrkExchange runs the code exchange through wrk for d.
func wrkExchange(s *server, codes []string, secret string, clients int, d time.Duration) (wrkResult, error) {
	script := fmt.Sprintf("REDIRECT = %q\nVERIFIER = %q\n%s", url.QueryEscape(benchRedirectURI), benchVerifier, exchangeScript)
	basic := base64.StdEncoding.EncodeToString([]byte(benchClientID + ":" + secret))
	return runQueueWrk(s, script, codes, clients, d, "-H", "Authorization: Basic "+basic)
}
