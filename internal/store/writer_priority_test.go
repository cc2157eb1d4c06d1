package store

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// queuedBehindABlockedWriter holds the writer in a transaction, queues one
// background job and then requests request jobs (each waiting until the one
// before is queued, so their order is known), releases the writer, and
// returns the order the jobs ran in: "b" for the background job, "r" for
// each request job.
func queuedBehindABlockedWriter(t *testing.T, requests int) string {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	release, running := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	releaseWriter := func() { releaseOnce.Do(func() { close(release) }) }
	defer releaseWriter() // also when a wait below fails the test
	go func() {
		_ = st.Write(ctx, func(*Tx) error { close(running); <-release; return nil })
	}()
	<-running

	var mu sync.Mutex
	var order []byte
	ran := func(c byte) func(*Tx) error {
		return func(*Tx) error { mu.Lock(); order = append(order, c); mu.Unlock(); return nil }
	}
	var wg sync.WaitGroup
	wg.Go(func() { _ = st.WriteBackground(ctx, ran('b')) })
	waitFor(t, func() bool { return len(st.writer.background) == 1 })
	for i := range requests {
		wg.Go(func() { _ = st.Write(ctx, ran('r')) })
		waitFor(t, func() bool { return len(st.writer.jobs) == i+1 })
	}
	releaseWriter()
	wg.Wait()
	return string(order)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for a write to queue")
		}
	}
}

func TestRequestWritesGoBeforeQueuedBackgroundWrites(t *testing.T) {
	if got, want := queuedBehindABlockedWriter(t, 3), "rrrb"; got != want {
		t.Fatalf("ran in the order %q, want %q", got, want)
	}
}

func TestABackgroundWriteRunsAfterBackgroundEveryRequestWritesInARow(t *testing.T) {
	got := queuedBehindABlockedWriter(t, backgroundEvery+10)
	// The request holding the writer is the first of the row.
	if i := strings.IndexByte(got, 'b'); i != backgroundEvery-1 {
		t.Fatalf("the background write ran after %d queued request writes, want %d: %q", i, backgroundEvery-1, got)
	}
}
