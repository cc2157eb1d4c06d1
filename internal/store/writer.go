package store

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by Write once the store is closing.
var ErrClosed = errors.New("store is closed")

// SQLite allows one write transaction at a time, so one goroutine, the
// writer, runs them all. Handing the turn from request to request instead
// made every transaction wait for the next request's goroutine to be
// scheduled, often behind a token being signed on each core: the writer sat
// idle most of the time while requests queued. The writer runs queued
// transactions back to back.
//
// Two queues feed it. Write is for work someone is waiting for (a request);
// WriteBackground for work nobody waits for (webhook claims and outcomes,
// housekeeping). A background transaction runs only when no request's
// transaction is queued, or after backgroundEvery request transactions in
// a row, so a flood of background work delays a request by at most the one
// background transaction already running, and is never starved.

// backgroundEvery is how many queued request transactions may run in a row
// before a waiting background transaction takes its turn.
const backgroundEvery = 64

// writer is the queues of write transactions and the writer's life cycle.
type writer struct {
	jobs       chan *writeJob // Write
	background chan *writeJob // WriteBackground
	stopping   chan struct{}  // closed by stopWriter
	stopped    chan struct{}  // closed when the writer has returned
	stop       sync.Once
}

func newWriter() writer {
	return writer{jobs: make(chan *writeJob, 256), background: make(chan *writeJob, 64),
		stopping: make(chan struct{}), stopped: make(chan struct{})}
}

// A writeJob moves from queued to running or to abandoned, never both: the
// writer takes it only if its caller has not given up.
const (
	jobQueued int32 = iota
	jobRunning
	jobAbandoned
)

type writeJob struct {
	ctx        context.Context
	fn         func(tx *Tx) error
	background bool // queued by WriteBackground
	state      atomic.Int32
	done       chan struct{} // closed when the job has run
	err        error
	panicked   any // a panic in fn, raised again in the caller
}

// Write runs fn in one immediate transaction on the writer connection,
// committing when fn returns nil and rolling back otherwise. Transactions run
// one at a time, first come, first served, ahead of background ones (see
// WriteBackground). A caller whose ctx ends before its transaction starts
// gets ctx.Err() and fn never runs; once fn has started, the transaction
// runs to its end (see uncancelled). A panic in fn rolls back and is raised
// again in the caller, with fn's stack. fn runs on the writer goroutine: it
// must not call Write or runtime.Goexit (such as t.FailNow), which would
// stop the writer.
func (s *Store) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return s.write(ctx, &writeJob{ctx: ctx, fn: fn})
}

// WriteBackground is Write for work no request waits for: its transaction
// runs when no request's transaction is queued (or after backgroundEvery
// of them), so it should be short.
func (s *Store) WriteBackground(ctx context.Context, fn func(tx *Tx) error) error {
	return s.write(ctx, &writeJob{ctx: ctx, fn: fn, background: true})
}

// write queues job and waits for its outcome.
func (s *Store) write(ctx context.Context, job *writeJob) error {
	job.done = make(chan struct{})
	queue := s.writer.jobs
	if job.background {
		queue = s.writer.background
	}
	select {
	case queue <- job:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.writer.stopping:
		return ErrClosed
	}
	select {
	case <-job.done:
	case <-ctx.Done():
		if job.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return ctx.Err()
		}
		<-job.done
	case <-s.writer.stopped:
		// The writer finishes every job it takes before it returns.
		select {
		case <-job.done:
		default:
			return ErrClosed
		}
	}
	if job.panicked != nil {
		panic(job.panicked)
	}
	return job.err
}

// runWriter is the writer: it runs queued jobs until stopWriter, request
// jobs first (see WriteBackground).
func (s *Store) runWriter() {
	defer close(s.writer.stopped)
	inARow := 0 // request jobs run since the last background one
	for {
		first, second := s.writer.jobs, s.writer.background
		if inARow >= backgroundEvery {
			first, second = second, first
		}
		var job *writeJob
		select {
		case job = <-first:
		default:
			select {
			case job = <-first:
			case job = <-second:
			case <-s.writer.stopping:
				return
			}
		}
		if job.background {
			inARow = 0
		} else {
			inARow++
		}
		if !job.state.CompareAndSwap(jobQueued, jobRunning) {
			continue // abandoned by its caller
		}
		if job.err = job.ctx.Err(); job.err == nil {
			s.runJob(job)
		}
		close(job.done)
	}
}

// stopWriter stops the writer and waits for it. Jobs it has not taken by then
// fail with ErrClosed (it may still take a few already queued).
func (s *Store) stopWriter() {
	s.writer.stop.Do(func() { close(s.writer.stopping) })
	<-s.writer.stopped
}

// runJob runs one job's transaction and records its outcome.
func (s *Store) runJob(job *writeJob) {
	defer func() {
		if p := recover(); p != nil {
			job.panicked = fmt.Sprintf("%v\n\nin the write transaction:\n%s", p, debug.Stack())
		}
	}()
	tx, err := s.w.BeginTx(uncancelled(job.ctx), nil)
	if err != nil {
		job.err = err
		return
	}
	// Roll back on every way out but a commit, panics included: a
	// transaction left open would hold the only writer connection forever.
	defer func() { _ = tx.Rollback() }()
	if job.err = job.fn(&Tx{tx: writeTx{tx}, stmts: s.writeStmts}); job.err != nil {
		return
	}
	defer s.generation.Add(1)
	job.err = tx.Commit()
}
