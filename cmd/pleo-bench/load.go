package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Demo identifiers the load phases use (see internal/seed).
const (
	demoClientID     = "demo-client"
	demoClientSecret = "demo-secret"
	demoCompanyID    = "92f464a4-4e7d-5f5b-bb8f-9a2dfa429ce2" // Acme Denmark
	demoCompanyURN   = "urn:pleo:company:" + demoCompanyID
)

func newClient(conns int) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}}
}

type pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// mintPair gets a token pair from the control API.
func mintPair(c *http.Client, base, scope string) (pair, error) {
	body := fmt.Sprintf(`{"client_id": %q, "subject": %q, "scope": %q}`, demoClientID, demoCompanyURN, scope)
	var p pair
	b, err := send(c, newRequest(http.MethodPost, base+"/_emulator/tokens", body, ""))
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(b, &p)
}

// result gathers latencies and errors of one load phase.
type result struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    atomic.Int64
	firstErr  atomic.Value
}

func (r *result) ok(d time.Duration) {
	r.mu.Lock()
	r.latencies = append(r.latencies, d)
	r.mu.Unlock()
}

func (r *result) fail(err error) {
	r.errors.Add(1)
	r.firstErr.CompareAndSwap(nil, err.Error())
}

func (r *result) summary(elapsed time.Duration) (rps, p50, p99 float64) {
	slices.Sort(r.latencies)
	n := len(r.latencies)
	if n == 0 {
		return 0, 0, 0
	}
	return float64(n) / elapsed.Seconds(), ms(r.latencies[n/2]), ms(r.latencies[min(n-1, n*99/100)])
}

// signingRate measures raw RS256 signatures per second over all cores.
func signingRate(d time.Duration) (float64, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return 0, err
	}
	digest := sha256.Sum256([]byte(`{"alg":"RS256","typ":"at+jwt"}.{"sub":"benchmark"}`))
	var n atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err == nil {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds(), nil
}

// refreshLoad runs clients concurrent refresh chains (each client refreshes
// the pair its previous refresh returned) for d, and compares the rate with
// the raw signing rate measured just before.
func refreshLoad(s *server, clients int, d time.Duration, sign float64) ([][2]string, error) {
	rows, _, err := measureRefresh(s, "refresh", clients, d, sign)
	return rows, err
}

// measureRefresh is refreshLoad's measurement, named name, with its result.
func measureRefresh(s *server, name string, clients int, d time.Duration, sign float64) ([][2]string, wrkResult, error) {
	c := newClient(clients)
	tokens := make([]string, clients)
	for i := range tokens {
		p, err := mintPair(c, s.url, "users:read")
		if err != nil {
			return nil, wrkResult{}, err
		}
		tokens[i] = p.RefreshToken
	}
	return measure(s, d, loadRun{
		name: name, label: fmt.Sprintf("refresh grant, %d concurrent clients", clients), memory: "the refresh load", signRate: sign,
		wrk: func() (wrkResult, error) { return wrkRefresh(s, tokens, d) },
		goLoad: func() (wrkResult, error) {
			return goLoop(clients, d, func(i int) error {
				next, err := refreshOnce(c, s.url, tokens[i])
				if err != nil {
					return fmt.Errorf("%w: %w", errStop, err) // the chain is broken; stop this client
				}
				tokens[i] = next
				return nil
			}), nil
		},
	})
}

func refreshOnce(c *http.Client, base, refresh string) (string, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(demoClientID, demoClientSecret)
	body, err := send(c, req)
	if err != nil {
		return "", err
	}
	var p pair
	if err := json.Unmarshal(body, &p); err != nil {
		return "", err
	}
	return p.RefreshToken, nil
}

// employeesPath is the API call of the API phase.
const employeesPath = "/v2/employees?limit=20"

// apiLoad calls GET /v2/employees?limit=20 from conns connections for d,
// with full token verification (signature and revocation check) on each call.
func apiLoad(s *server, conns int, d time.Duration) ([][2]string, error) {
	rows, _, err := measureAPI(s, "api", conns, d)
	return rows, err
}

// measureAPI is apiLoad's measurement, named name, with its result.
func measureAPI(s *server, name string, conns int, d time.Duration) ([][2]string, wrkResult, error) {
	c := newClient(conns)
	p, err := mintPair(c, s.url, "users:read")
	if err != nil {
		return nil, wrkResult{}, err
	}
	lr := loadRun{name: name, label: fmt.Sprintf("GET %s, %d connections", employeesPath, conns), memory: "the API load"}
	return measure(s, d, requestRun(lr, c, http.MethodGet, s.url+employeesPath, "", p.AccessToken, conns, d))
}

// requestRun completes lr (name, label and memory set) with a load that
// sends one request (method, URL, JSON body and bearer token, both
// optional) from conns connections for d.
func requestRun(lr loadRun, c *http.Client, method, u, body, token string, conns int, d time.Duration) loadRun {
	lr.wrk = func() (wrkResult, error) { return wrkRequest(method, u, body, token, conns, d) }
	lr.goLoad = func() (wrkResult, error) { return goLoad(c, method, u, body, token, conns, d) }
	return lr
}

// sample records the server's resident memory every 200 ms until stopped.
func (s *server) sample() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.rssMB()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// resetTime measures POST /_emulator/reset (back to the seed state) n times
// and reports the median round trip.
func resetTime(s *server, n int) ([][2]string, error) {
	c := newClient(1)
	var times []time.Duration
	for range n {
		start := time.Now()
		resp, err := c.Post(s.url+"/_emulator/reset", "application/json", nil)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("reset: %s", resp.Status)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	return [][2]string{{fmt.Sprintf("control API reset to the seed state (median of %d)", n),
		fmt.Sprintf("%.1f ms (min %.1f, max %.1f)", ms(times[n/2]), ms(times[0]), ms(times[n-1]))}}, nil
}
