package main

import (
	"bytes"
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
	demoCompanyURN   = "urn:pleo:company:92f464a4-4e7d-5f5b-bb8f-9a2dfa429ce2"
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
	resp, err := c.Post(base+"/_emulator/tokens", "application/json", strings.NewReader(body))
	if err != nil {
		return pair{}, err
	}
	defer resp.Body.Close()
	var p pair
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return p, fmt.Errorf("mint: %s: %s", resp.Status, b)
	}
	return p, json.NewDecoder(resp.Body).Decode(&p)
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
	c := newClient(clients)
	pairs := make([]pair, clients)
	for i := range pairs {
		var err error
		if pairs[i], err = mintPair(c, s.url, "users:read"); err != nil {
			return nil, err
		}
	}
	s.peak = 0
	if haveWrk() {
		tokens := make([]string, len(pairs))
		for i, p := range pairs {
			tokens[i] = p.RefreshToken
		}
		stopSampling := s.sample()
		r, err := wrkRefresh(s, tokens, d)
		stopSampling()
		if err != nil {
			return nil, err
		}
		return [][2]string{
			{fmt.Sprintf("refresh grant, %d concurrent clients, %s (wrk)", clients, d), fmt.Sprintf("%.0f requests/s (%.0f%% of the signing rate), p50 %.1f ms, p99 %.1f ms, %d errors", r.rps, 100*r.rps/sign, r.p50, r.p99, r.errors)},
			{"resident memory, peak during the refresh load", fmt.Sprintf("%.1f MiB", float64(s.peak)/1024)},
		}, nil
	}
	var res result
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	stopSampling := s.sample()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			refresh := pairs[i].RefreshToken
			for ctx.Err() == nil {
				t0 := time.Now()
				next, err := refreshOnce(c, s.url, refresh)
				if err != nil {
					if ctx.Err() == nil {
						res.fail(err)
					}
					return // the chain is broken; stop this client
				}
				res.ok(time.Since(t0))
				refresh = next
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopSampling()
	rps, p50, p99 := res.summary(elapsed)
	rows := [][2]string{
		{fmt.Sprintf("refresh grant, %d concurrent clients, %s (Go load generator)", clients, d), fmt.Sprintf("%.0f requests/s (%.0f%% of the signing rate), p50 %.1f ms, p99 %.1f ms, %d errors", rps, 100*rps/sign, p50, p99, res.errors.Load())},
	}
	if e := res.firstErr.Load(); e != nil {
		rows = append(rows, [2]string{"first refresh error", e.(string)})
	}
	rows = append(rows, [2]string{"resident memory, peak during the refresh load", fmt.Sprintf("%.1f MiB", float64(s.peak)/1024)})
	return rows, nil
}

func refreshOnce(c *http.Client, base, refresh string) (string, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(demoClientID, demoClientSecret)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("refresh: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	var p pair
	if err := json.Unmarshal(body, &p); err != nil {
		return "", err
	}
	return p.RefreshToken, nil
}

// apiLoad calls GET /v2/employees?limit=20 from conns connections for d,
// with full token verification (signature and revocation check) on each call.
func apiLoad(s *server, conns int, d time.Duration) ([][2]string, error) {
	c := newClient(conns)
	p, err := mintPair(c, s.url, "users:read")
	if err != nil {
		return nil, err
	}
	s.peak = 0
	if haveWrk() {
		stopSampling := s.sample()
		r, err := wrkAPI(s, "/v2/employees?limit=20", p.AccessToken, conns, d)
		stopSampling()
		if err != nil {
			return nil, err
		}
		return [][2]string{
			{fmt.Sprintf("GET /v2/employees?limit=20, %d connections, %s (wrk)", conns, d), fmt.Sprintf("%.0f requests/s, p50 %.1f ms, p99 %.1f ms, %d errors", r.rps, r.p50, r.p99, r.errors)},
			{"resident memory, peak during the API load", fmt.Sprintf("%.1f MiB", float64(s.peak)/1024)},
		}, nil
	}
	var res result
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	stopSampling := s.sample()
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequest(http.MethodGet, s.url+"/v2/employees?limit=20", nil)
				req.Header.Set("Authorization", "Bearer "+p.AccessToken)
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						res.fail(err)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					res.fail(fmt.Errorf("employees: %s", resp.Status))
					continue
				}
				res.ok(time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopSampling()
	rps, p50, p99 := res.summary(elapsed)
	rows := [][2]string{
		{fmt.Sprintf("GET /v2/employees?limit=20, %d connections, %s (Go load generator)", conns, d), fmt.Sprintf("%.0f requests/s, p50 %.1f ms, p99 %.1f ms, %d errors", rps, p50, p99, res.errors.Load())},
	}
	if e := res.firstErr.Load(); e != nil {
		rows = append(rows, [2]string{"first API error", e.(string)})
	}
	rows = append(rows, [2]string{"resident memory, peak during the API load", fmt.Sprintf("%.1f MiB", float64(s.peak)/1024)})
	return rows, nil
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
