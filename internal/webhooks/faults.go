package webhooks

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Fault kinds: what the dispatcher does to the next deliveries, so an
// integration can test its idempotency and ordering.
const (
	// FaultDuplicate sends a message twice (same webhook-id, two attempts).
	FaultDuplicate = "duplicate"
	// FaultDelay waits Delay (real time) before sending.
	FaultDelay = "delay"
	// FaultOutOfOrder holds a message back until the next message has been
	// sent (or, if none comes, for five seconds).
	FaultOutOfOrder = "out_of_order"
	// FaultWrongSecret signs a message with a random secret, so
	// verification must fail.
	FaultWrongSecret = "wrong_secret"
)

// FaultKinds lists the fault kinds.
var FaultKinds = []string{FaultDuplicate, FaultDelay, FaultOutOfOrder, FaultWrongSecret}

// Fault shapes the next Count deliveries (of SubscriptionID only, when set).
type Fault struct {
	ID             int           `json:"id"`
	Kind           string        `json:"kind"`
	Count          int           `json:"count"` // deliveries left
	Delay          time.Duration `json:"-"`
	DelayText      string        `json:"delay,omitempty"`
	SubscriptionID string        `json:"subscription_id,omitempty"`
}

// Faults is the queue of webhook faults. Safe for concurrent use.
type Faults struct {
	mu     sync.Mutex
	next   int
	faults []Fault
}

// Add queues f (Count defaults to 1) and returns it with its ID.
func (q *Faults) Add(f Fault) (Fault, error) {
	if !slices.Contains(FaultKinds, f.Kind) {
		return f, fmt.Errorf("unknown webhook fault kind %q; known: %v", f.Kind, FaultKinds)
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Count < 0 {
		return f, fmt.Errorf("count must be positive")
	}
	if f.Kind == FaultDelay {
		if f.Delay <= 0 || f.Delay > 5*time.Minute {
			return f, fmt.Errorf("a delay fault needs a delay from 1ms to 5m")
		}
		f.DelayText = f.Delay.String()
	} else if f.Delay != 0 {
		return f, fmt.Errorf("only a delay fault takes a delay")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.next++
	f.ID = q.next
	q.faults = append(q.faults, f)
	return f, nil
}

// List returns the queued faults.
func (q *Faults) List() []Fault {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.faults)
}

// Clear removes every fault.
func (q *Faults) Clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults = nil
}

// take returns the first fault that applies to a delivery for
// subscriptionID and uses one of its count; ok is false when none applies.
func (q *Faults) take(subscriptionID string) (f Fault, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i := range q.faults {
		if q.faults[i].SubscriptionID != "" && q.faults[i].SubscriptionID != subscriptionID {
			continue
		}
		q.faults[i].Count--
		f = q.faults[i]
		if f.Count <= 0 {
			q.faults = slices.Delete(q.faults, i, i+1)
		}
		return f, true
	}
	return f, false
}
