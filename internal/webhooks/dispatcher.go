// Package webhooks delivers the emulator's webhook events: a dispatcher
// that takes due messages from the store's outbox, signs them the Standard
// Webhooks way (signing.go), sends them to each subscription's endpoint,
// records every attempt and schedules retries on the emulator's clock
// (retry.go). Faults queued for testing (faults.go) can duplicate, delay,
// reorder or mis-sign the next deliveries.
//
// A delivery succeeds on a 2xx answer. A non-2xx answer (redirects are
// not followed), no answer within Options.Timeout, or a refused
// connection is a failed attempt, retried after RetrySchedule; after the
// last attempt the delivery fails and its subscription is marked failing.
// Deliveries are at least once: a message is sent again (same webhook-id)
// when the process stops between sending it and recording the attempt.
package webhooks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Clock gives the emulator's time.
type Clock interface{ Now() time.Time }

// Options configure a dispatcher; zero values take the defaults.
type Options struct {
	// Workers is how many deliveries are sent at once (default 64).
	Workers int
	// Timeout bounds one attempt, from connecting to the end of the
	// answer (default 15s, the timeout Standard Webhooks senders commonly use).
	Timeout time.Duration
	// Poll is how often the dispatcher looks for due deliveries when
	// nothing wakes it (default 20ms): a clock advance makes retries due
	// without any other signal.
	Poll time.Duration
	// Transport sends the requests (default: a transport of its own).
	Transport http.RoundTripper
	// Busy reports whether the emulator is handling requests (nil: never).
	// While it is, deliveries go one at a time, at most one per BusyPace:
	// deliveries are asynchronous, the token endpoint and the API are not,
	// and on a machine with few cores a flood of deliveries would otherwise
	// take the cores the requests are waiting for.
	Busy func() bool
}

// BusyPace is the least time between two deliveries while Options.Busy
// reports requests in progress: at most 100 deliveries a second.
const BusyPace = 10 * time.Millisecond

// MaxResponseBody caps the answer body an attempt records.
const MaxResponseBody = 4 << 10

// UserAgent is the User-Agent of deliveries.
const UserAgent = "pleo-emulator-webhooks/1"

// Dispatcher sends due deliveries. Start it once; Stop it before closing
// the store.
type Dispatcher struct {
	opt    Options
	store  *store.Store
	clock  Clock
	log    *slog.Logger
	client *http.Client
	faults *Faults

	wake    chan struct{}
	results chan store.AttemptOutcome
	slots   chan struct{}
	held    chan func() // out-of-order messages waiting for the next send

	sending   atomic.Int32 // requests to endpoints under way (not deliveries a fault holds back)
	lastPaced time.Time    // when the last delivery paced by yield started (loop goroutine only)

	stop     context.CancelFunc
	loopDone chan struct{}
	sends    sync.WaitGroup
	recorder chan struct{}
}

// New builds a dispatcher.
func New(st *store.Store, clk Clock, log *slog.Logger, opt Options) *Dispatcher {
	if opt.Workers <= 0 {
		opt.Workers = 64
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 15 * time.Second
	}
	if opt.Poll <= 0 {
		opt.Poll = 20 * time.Millisecond
	}
	if opt.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = opt.Workers
		opt.Transport = t
	}
	return &Dispatcher{opt: opt, store: st, clock: clk, log: log, faults: &Faults{},
		client: &http.Client{Transport: opt.Transport, Timeout: opt.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		wake: make(chan struct{}, 1), results: make(chan store.AttemptOutcome, 1024),
		slots: make(chan struct{}, opt.Workers), held: make(chan func(), 64)}
}

// Faults is the dispatcher's fault queue.
func (d *Dispatcher) Faults() *Faults { return d.faults }

// Wake makes the dispatcher look for due deliveries now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Start releases deliveries a killed process left in flight and starts
// sending.
func (d *Dispatcher) Start(ctx context.Context) error {
	if n, err := d.store.ReleaseInFlight(ctx); err != nil {
		return err
	} else if n > 0 {
		d.log.Info("webhooks: resuming deliveries left in flight", "count", n)
	}
	ctx, d.stop = context.WithCancel(context.WithoutCancel(ctx))
	d.loopDone, d.recorder = make(chan struct{}), make(chan struct{})
	go d.record()
	go d.loop(ctx)
	return nil
}

// Stop stops sending, waits for attempts under way (they are cut short)
// and records them.
func (d *Dispatcher) Stop() {
	if d.stop == nil {
		return
	}
	d.stop()
	<-d.loopDone
	d.sends.Wait()
	close(d.results)
	<-d.recorder
}

// loop claims due deliveries whenever it is woken, the store changed, or
// the earliest known due time has come on the emulator's clock.
func (d *Dispatcher) loop(ctx context.Context) {
	defer close(d.loopDone)
	tick := time.NewTicker(d.opt.Poll)
	defer tick.Stop()
	var lastGen uint64
	var nextDue time.Time
	known := false
	for {
		woken := false
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
			woken = true
		case <-tick.C:
		}
		now := d.clock.Now()
		gen := d.store.WriteGeneration()
		if !woken && gen == lastGen && (!known || now.Before(nextDue)) {
			continue
		}
		lastGen = gen
		due, ok, err := d.store.NextDue(ctx)
		if err != nil {
			d.log.Error("webhooks: next due delivery", "error", err)
			continue
		}
		nextDue, known = due, ok
		if !ok || now.Before(due) {
			continue
		}
		d.claimAndSend(ctx, now)
	}
}

// claimBatch is how many deliveries one claim takes while the emulator is
// idle; busyClaimBatch while it is handling requests. A claim is one write
// transaction, and the requests' writes queue behind it: while busy,
// deliveries go at most one every BusyPace anyway, so a claim takes only
// what the next few BusyPace steps send and holds the writer briefly.
const (
	claimBatch     = 256
	busyClaimBatch = 8
)

func (d *Dispatcher) claimAndSend(ctx context.Context, now time.Time) {
	for ctx.Err() == nil {
		limit := claimBatch
		if d.opt.Busy != nil && d.opt.Busy() {
			limit = busyClaimBatch
		}
		batch, err := d.store.ClaimDeliveries(ctx, now, limit)
		if err != nil {
			if ctx.Err() == nil {
				d.log.Error("webhooks: claim deliveries", "error", err)
			}
			return
		}
		for _, o := range batch {
			d.yield(ctx)
			select {
			case d.slots <- struct{}{}:
			case <-ctx.Done():
				// Not sent: record nothing; ReleaseInFlight makes it due at the next start.
				return
			}
			d.sends.Add(1)
			go func() {
				defer d.sends.Done()
				defer func() { <-d.slots }()
				d.send(ctx, o)
			}()
		}
		if len(batch) < limit {
			return
		}
	}
}

// yield returns when the next delivery may start: at once while the
// emulator is idle; while it is busy, once no request to an endpoint is
// under way and BusyPace has passed since the last paced delivery started
// (or when ctx ends). A delivery a fault delays or holds back for
// reordering sends no request meanwhile, so it does not hold up the next.
func (d *Dispatcher) yield(ctx context.Context) {
	if d.opt.Busy == nil {
		return
	}
	for d.opt.Busy() {
		if d.sending.Load() == 0 && time.Since(d.lastPaced) >= BusyPace {
			d.lastPaced = time.Now()
			return
		}
		select {
		case <-time.After(time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
}

// send makes one attempt at o (two with the duplicate fault), applying a
// queued fault, and hands the outcome to the recorder.
func (d *Dispatcher) send(ctx context.Context, o store.Outgoing) {
	f, faulty := d.faults.take(o.Sub.ID)
	note := ""
	if faulty {
		note = f.Kind + " (fault)"
	}
	secret := o.Sub.Secret
	switch {
	case faulty && f.Kind == FaultWrongSecret:
		secret = randomSecret()
	case faulty && f.Kind == FaultDelay:
		select {
		case <-time.After(f.Delay):
		case <-ctx.Done():
			return
		}
	case faulty && f.Kind == FaultOutOfOrder:
		release := make(chan struct{})
		select {
		case d.held <- func() { close(release) }:
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			case <-ctx.Done():
				return
			}
		default: // too many held: send in order
		}
	}
	out := d.attempt(ctx, o, o.Attempt, secret, note)
	d.releaseHeld()
	if ctx.Err() != nil && out.ResponseStatus == 0 {
		return // cut short by Stop: still in flight, resent at the next start
	}
	if faulty && f.Kind == FaultDuplicate && out.State == store.DeliverySucceeded {
		d.results <- out
		out = d.attempt(ctx, o, o.Attempt+1, secret, note)
	}
	d.results <- out
}

// releaseHeld lets every held out-of-order message go.
func (d *Dispatcher) releaseHeld() {
	for {
		select {
		case release := <-d.held:
			release()
		default:
			return
		}
	}
}

// attempt sends o once as attempt number n and returns its outcome.
func (d *Dispatcher) attempt(ctx context.Context, o store.Outgoing, n int, secret, note string) store.AttemptOutcome {
	started := d.clock.Now()
	out := store.AttemptOutcome{Attempt: store.Attempt{DeliveryID: o.DeliveryID, Number: n, StartedAt: started, Note: note}}
	body, signature, err := Body(secret, o.DeliveryID, started, Payload{Data: o.Data, EventID: o.EventID, EventType: o.EventType})
	if err != nil {
		out.Error = "sign: " + err.Error()
		return d.failed(out, n)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.Sub.EndpointURL, bytes.NewReader(body))
	if err != nil {
		out.Error = "request: " + err.Error()
		return d.failed(out, n)
	}
	for k, v := range o.Sub.CustomHeaders {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("webhook-id", o.DeliveryID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(started.Unix(), 10))
	req.Header.Set("webhook-signature", signature)
	out.RequestHeaders = req.Header.Clone()
	if o.Sub.AuthType == "BASIC" {
		req.SetBasicAuth(o.Sub.AuthUsername, o.Sub.AuthPassword)
		out.RequestHeaders.Set("Authorization", "Basic (credentials of endpointAuth, not recorded)")
	}
	out.RequestBody = string(body)
	t0 := time.Now()
	d.sending.Add(1)
	resp, err := d.client.Do(req)
	if err == nil {
		var b []byte
		b, err = io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // lets the connection be reused
		resp.Body.Close()
		out.ResponseStatus, out.ResponseBody = resp.StatusCode, string(b)
	}
	d.sending.Add(-1)
	out.Duration = time.Since(t0)
	if err != nil {
		out.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			out.Error = "no answer within " + d.opt.Timeout.String() + ": " + err.Error()
		}
		return d.failed(out, n)
	}
	if out.ResponseStatus < 200 || out.ResponseStatus > 299 {
		return d.failed(out, n)
	}
	out.State = store.DeliverySucceeded
	return out
}

// failed completes the outcome of failed attempt n: a retry on the
// emulator's clock, or the end of the delivery.
func (d *Dispatcher) failed(out store.AttemptOutcome, n int) store.AttemptOutcome {
	if wait, ok := retryAfter(n); ok {
		out.State, out.NextAttemptAt = store.DeliveryPending, d.clock.Now().Add(wait)
		return out
	}
	out.State = store.DeliveryFailed
	return out
}

// RecordLinger is how long, while Options.Busy reports requests in
// progress, the recorder gathers outcomes before writing them. Every write
// ends the cached revocation state of access tokens and the database
// readers' page caches, so writing each paced delivery's outcome at once
// would cost the requests far more than the delivery itself.
const RecordLinger = 100 * time.Millisecond

// record stores outcomes in batches, one transaction per batch: what is
// queued when the first outcome arrives, or, while the emulator is busy,
// what arrives within RecordLinger.
func (d *Dispatcher) record() {
	defer close(d.recorder)
	batch := make([]store.AttemptOutcome, 0, claimBatch)
	for first := range d.results {
		batch = append(batch[:0], first)
		var linger <-chan time.Time
		if d.opt.Busy != nil && d.opt.Busy() {
			linger = time.After(RecordLinger)
		}
	drain:
		for len(batch) < claimBatch {
			var o store.AttemptOutcome
			var ok bool
			if linger == nil {
				select {
				case o, ok = <-d.results:
				default:
					break drain
				}
			} else {
				select {
				case o, ok = <-d.results:
				case <-linger:
					break drain
				}
			}
			if !ok {
				break drain
			}
			batch = append(batch, o)
		}
		// Recording must not be cut short by Stop: the attempts happened.
		if err := d.store.RecordAttempts(context.Background(), batch, d.clock.Now()); err != nil {
			d.log.Error("webhooks: record attempts", "count", len(batch), "error", err)
		}
		d.Wake() // retries due at once, and the next claims
	}
}

func randomSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}
