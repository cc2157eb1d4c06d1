// Package clock provides the emulator's adjustable clock. Every expiry and
// every timestamp the emulator writes reads the time from a Clock, so tests
// (and the control API) can move time without waiting.
package clock

import (
	"sync"
	"time"
)

// Clock reports the emulator's current time: the real time plus an offset,
// or a fixed instant once Set has been called. It is safe for concurrent use.
type Clock struct {
	mu     sync.RWMutex
	offset time.Duration
	fixed  time.Time // zero unless the clock has been set to an instant
	real   func() time.Time
}

// New returns a clock that follows the real time.
func New() *Clock { return &Clock{real: time.Now} }

// Now returns the current emulator time in UTC, truncated to microseconds so
// that it round-trips through JSON and SQLite unchanged.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var t time.Time
	if !c.fixed.IsZero() {
		t = c.fixed.Add(c.offset)
	} else {
		t = c.real().Add(c.offset)
	}
	return t.UTC().Truncate(time.Microsecond)
}

// Advance moves the clock forward by d (which must not be negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Set freezes the clock at t; it stays there until advanced, set or reset.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed, c.offset = t, 0
}

// Reset makes the clock follow the real time again.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed, c.offset = time.Time{}, 0
}

// Frozen reports whether the clock has been set to a fixed instant.
func (c *Clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return !c.fixed.IsZero()
}
