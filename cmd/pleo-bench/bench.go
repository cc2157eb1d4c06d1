package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The plumbing every load phase shares: one timed run through wrk or the
// Go load generator with the server's memory sampled and, with -pprof, its
// profiles taken; the rows that report it; and the Go load generator's loop.

// loadRun is one timed load of a phase.
type loadRun struct {
	name     string  // short name, used for profile file names
	label    string  // what is measured, e.g. "refresh grant, 32 concurrent clients"
	memory   string  // the load named in the peak-memory row, e.g. "the refresh load"
	signRate float64 // when > 0, the rate is also given as a share of it
	// wrk runs the load through wrk; goLoad through the Go load generator.
	wrk, goLoad func() (wrkResult, error)
}

// measure runs lr for d on s (with wrk when installed) and returns its
// rows: rate and latency, the first error if any, and the peak memory.
func measure(s *server, d time.Duration, lr loadRun) ([][2]string, wrkResult, error) {
	s.peak = 0
	stopSampling := s.sample()
	stopProfiling := s.profile(lr.name, d)
	run, generator := lr.goLoad, "Go load generator"
	if haveWrk() && lr.wrk != nil {
		run, generator = lr.wrk, "wrk"
	}
	r, err := run()
	stopSampling()
	stopProfiling()
	if err != nil {
		return nil, r, err
	}
	rows := [][2]string{{fmt.Sprintf("%s, %s (%s)", lr.label, d, generator), r.describe(lr.signRate)}}
	if r.firstErr != "" {
		rows = append(rows, [2]string{"first error of " + lr.memory, r.firstErr})
	}
	rows = append(rows, [2]string{"resident memory, peak during " + lr.memory, fmt.Sprintf("%.1f MiB", float64(s.peak)/1024)})
	return rows, r, nil
}

// describe is the value of a load's row.
func (r wrkResult) describe(signRate float64) string {
	share := ""
	if signRate > 0 {
		share = fmt.Sprintf(" (%.0f%% of the signing rate)", 100*r.rps/signRate)
	}
	return fmt.Sprintf("%.0f requests/s%s, p50 %.1f ms, p99 %.1f ms, %d errors", r.rps, share, r.p50, r.p99, r.errors)
}

// errStop ends a Go load worker: returned alone, the worker has nothing
// left to send; wrapped around an error, the error is counted first.
var errStop = errors.New("worker stops")

// goLoop is the Go load generator: conns workers call do until d has
// passed, each call timed. A failed call is counted (unless d has passed
// during it) and the worker goes on, unless the error wraps errStop.
func goLoop(conns int, d time.Duration, do func(worker int) error) wrkResult {
	var res result
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				t0 := time.Now()
				err := do(i)
				switch {
				case err == nil:
					res.ok(time.Since(t0))
					continue
				case err != errStop && ctx.Err() == nil:
					res.fail(err)
				}
				if errors.Is(err, errStop) {
					return
				}
			}
		})
	}
	wg.Wait()
	rps, p50, p99 := res.summary(time.Since(start))
	r := wrkResult{rps: rps, p50: p50, p99: p99, errors: res.errors.Load()}
	if e, ok := res.firstErr.Load().(string); ok {
		r.firstErr = e
	}
	return r
}

// send sends req and returns the body of its 200 answer.
func send(c *http.Client, req *http.Request) ([]byte, error) {
	return sendExpect(c, req, http.StatusOK)
}

// sendExpect sends req and returns the body of its answer when its status
// is want; any other status is an error carrying the start of the body.
func sendExpect(c *http.Client, req *http.Request, want int) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: %s: %.200s", req.Method, req.URL.Path, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// newRequest builds a request with an optional JSON body and bearer token.
func newRequest(method, u, body, token string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, u, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}
