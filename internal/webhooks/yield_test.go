package webhooks

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// While the emulator is busy, deliveries start one at a time and at least
// BusyPace apart; while it is idle, they start at once.
func TestYieldPacesDeliveriesWhileBusy(t *testing.T) {
	var busy atomic.Bool
	d := &Dispatcher{opt: Options{Busy: busy.Load}}
	ctx := context.Background()

	d.sending.Store(5)
	d.yield(ctx) // idle: returns at once, however many are under way

	busy.Store(true)
	returned := make(chan time.Time)
	go func() {
		d.yield(ctx)
		returned <- time.Now()
	}()
	select {
	case <-returned:
		t.Fatal("yield returned while busy with deliveries under way")
	case <-time.After(20 * time.Millisecond):
	}
	d.sending.Store(0)
	first := <-returned
	d.yield(ctx)
	if gap := time.Since(first); gap < BusyPace {
		t.Errorf("two paced deliveries started %s apart, want at least %s", gap, BusyPace)
	}

	cancelled, cancel := context.WithCancel(ctx)
	d.sending.Store(1)
	cancel()
	d.yield(cancelled) // returns once ctx ends, though still busy
}

// Without a Busy function, yield never waits.
func TestYieldWithoutBusy(t *testing.T) {
	d := &Dispatcher{}
	d.sending.Store(3)
	d.yield(context.Background())
}
