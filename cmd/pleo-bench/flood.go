package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The flood phase: does a flood of webhook deliveries slow the token
// endpoint or the API? On a server of its own, fanOut subscriptions to a
// receiver in this process (answering 200 at once) each get every
// v1.vendor.created event, and a feeder creates vendors through the control
// API (POST /_emulator/events) whenever fewer than floodBacklog deliveries
// are outstanding, so the dispatcher never runs dry. The refresh grant and
// GET /v2/employees are each measured quiet and during the flood, rounds
// times in alternating order, and the ratio of the median p99s is
// reported (target: at most 1.10): one ten-second p99 on two shared cores
// moves by a third from run to run.

// floodBacklog is how many deliveries the feeder keeps outstanding.
const floodBacklog = 5000

func floodLoad(binary string, tokenClients, apiConns, fanOut, rounds int, d time.Duration) ([][2]string, error) {
	s, err := startServer(binary)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	rcv, err := startReceiver()
	if err != nil {
		return nil, err
	}
	defer rcv.close()
	c := newClient(4)
	p, err := mintPair(c, s.url, "export-jobs:read vendors:read")
	if err != nil {
		return nil, err
	}
	for range fanOut {
		body := fmt.Sprintf(`{"endpointUrl": %q, "eventTypes": ["v1.vendor.created"]}`, rcv.url)
		if _, err := send(c, newRequest(http.MethodPost, s.url+"/v1/subscriptions", body, p.AccessToken)); err != nil {
			return nil, err
		}
	}
	f := &feeder{c: c, base: s.url, fanOut: int64(fanOut), rcv: rcv}

	var rows [][2]string
	for _, load := range []struct {
		name, label string
		measure     func() ([][2]string, wrkResult, error)
	}{
		{"token", fmt.Sprintf("refresh grant, %d concurrent clients", tokenClients),
			func() ([][2]string, wrkResult, error) { return measureRefresh(s, "flood-token", tokenClients, d, 0) }},
		{"api", fmt.Sprintf("GET %s, %d connections", employeesPath, apiConns),
			func() ([][2]string, wrkResult, error) { return measureAPI(s, "flood-api", apiConns, d) }},
	} {
		var quiet, flooded []wrkResult
		var rates []float64
		measureFlooded := func() error {
			if err := f.start(); err != nil {
				return err
			}
			before, t0 := rcv.count.Load(), time.Now()
			_, r, err := load.measure()
			rates = append(rates, float64(rcv.count.Load()-before)/time.Since(t0).Seconds())
			if stopErr := f.stop(); err == nil {
				err = stopErr
			}
			flooded = append(flooded, r)
			return err
		}
		measureQuiet := func() error {
			_, r, err := load.measure()
			quiet = append(quiet, r)
			return err
		}
		// Alternate the order, so that a drift over the run (the database
		// grows) weighs on both sides alike.
		for round := range rounds {
			steps := []func() error{measureQuiet, measureFlooded}
			if round%2 == 1 {
				steps[0], steps[1] = steps[1], steps[0]
			}
			for _, step := range steps {
				if err := step(); err != nil {
					return nil, err
				}
			}
		}
		q, fl := medianResult(quiet), medianResult(flooded)
		rows = append(rows,
			[2]string{fmt.Sprintf("%s, %s, quiet (median of %d)", load.label, d, rounds), q.describe(0)},
			[2]string{fmt.Sprintf("%s, %s, during %.0f webhook deliveries/s (median of %d)", load.label, d, median(rates), rounds), fl.describe(0)},
			[2]string{fmt.Sprintf("%s: p99 during the flood / quiet (target ≤ 1.10)", load.label),
				fmt.Sprintf("%.2f (p50 %.2f; p99s quiet %s, flooded %s)", fl.p99/q.p99, fl.p50/q.p50, p99s(quiet), p99s(flooded))})
	}
	return rows, nil
}

// medianResult is the median of each measure of rs taken separately.
func medianResult(rs []wrkResult) wrkResult {
	pick := func(get func(wrkResult) float64) float64 {
		var v []float64
		for _, r := range rs {
			v = append(v, get(r))
		}
		return median(v)
	}
	var errs int64
	for _, r := range rs {
		errs += r.errors
	}
	return wrkResult{rps: pick(func(r wrkResult) float64 { return r.rps }), p50: pick(func(r wrkResult) float64 { return r.p50 }),
		p99: pick(func(r wrkResult) float64 { return r.p99 }), errors: errs}
}

func p99s(rs []wrkResult) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%.0f", r.p99))
	}
	return strings.Join(parts, "/") + " ms"
}

// receiver is a webhook endpoint on the loopback address that answers 200
// at once and counts deliveries.
type receiver struct {
	url   string
	srv   *http.Server
	count atomic.Int64
}

func startReceiver() (*receiver, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + l.Addr().String() + "/webhooks"}
	r.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		r.count.Add(1)
	})}
	go func() { _ = r.srv.Serve(l) }()
	return r, nil
}

func (r *receiver) close() { _ = r.srv.Close() }

// feeder keeps floodBacklog deliveries outstanding while it runs.
type feeder struct {
	c       *http.Client
	base    string
	fanOut  int64
	rcv     *receiver
	vendors int // vendors created so far, each fanOut deliveries

	done chan struct{}
	wg   sync.WaitGroup
	err  error
}

// start creates vendors until the backlog is full, waits for the first
// deliveries to arrive, and keeps the backlog topped up until stop.
func (f *feeder) start() error {
	if err := f.topUp(); err != nil {
		return err
	}
	for deadline := time.Now().Add(10 * time.Second); f.rcv.count.Load() == 0 || f.outstanding() == 0; {
		if time.Now().After(deadline) {
			return fmt.Errorf("no webhook delivery arrived within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.done = make(chan struct{})
	f.wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-f.done:
				return
			case <-t.C:
				if err := f.topUp(); err != nil {
					f.err = err
					return
				}
			}
		}
	})
	return nil
}

// stop stops feeding and waits until every delivery has arrived, or none
// has for two seconds (what is left failed and waits for a retry minutes
// away), so the next quiet measurement is quiet.
func (f *feeder) stop() error {
	close(f.done)
	f.wg.Wait()
	if f.err != nil {
		return f.err
	}
	last, lastChange := f.rcv.count.Load(), time.Now()
	for deadline := time.Now().Add(2 * time.Minute); f.outstanding() > 0 && time.Since(lastChange) < 2*time.Second; {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d webhook deliveries still outstanding after 2 minutes", f.outstanding())
		}
		time.Sleep(50 * time.Millisecond)
		if n := f.rcv.count.Load(); n != last {
			last, lastChange = n, time.Now()
		}
	}
	return nil
}

func (f *feeder) outstanding() int64 { return int64(f.vendors)*f.fanOut - f.rcv.count.Load() }

// topUp creates the vendors that bring the outstanding deliveries to
// floodBacklog, as counted when it starts (the dispatcher keeps delivering
// meanwhile, so counting as it goes might never end).
func (f *feeder) topUp() error {
	for n := (floodBacklog - f.outstanding() + f.fanOut - 1) / f.fanOut; n > 0; n-- {
		f.vendors++
		body, _ := json.Marshal(map[string]any{"type": "v1.vendor.created", "company_id": demoCompanyID,
			"vendor": map[string]string{"name": fmt.Sprintf("Flood vendor %d", f.vendors), "defaultCurrency": "DKK"}})
		req := newRequest(http.MethodPost, f.base+"/_emulator/events", string(body), "")
		if _, err := sendExpect(f.c, req, http.StatusCreated); err != nil {
			return err
		}
	}
	return nil
}

// median is the middle value of v (the mean of the two middle ones for an
// even count); v is sorted in place.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}
