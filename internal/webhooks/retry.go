package webhooks

import "time"

// RetrySchedule is the wait before each retry after a failed attempt, on
// the emulator's clock: the schedule the Standard Webhooks specification
// suggests (immediately, then 5 seconds, 5 minutes, 30 minutes, 2 hours,
// 5 hours, 10 hours and 10 hours), eight attempts in all. Pleo documents
// no schedule; this is an emulator choice.
var RetrySchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// MaxAttempts is the number of attempts a delivery gets.
var MaxAttempts = len(RetrySchedule) + 1

// retryAfter returns the wait before the attempt that follows failed
// attempt number n (from 1); ok is false after the last attempt.
func retryAfter(n int) (wait time.Duration, ok bool) {
	if n < 1 || n > len(RetrySchedule) {
		return 0, false
	}
	return RetrySchedule[n-1], true
}
