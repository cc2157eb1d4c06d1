package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// reset restores a running emulator to its seed and config-file state,
// clears queued faults and lets the clock follow real time again.
func reset(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var cf controlFlags
	fs := newFlagSet("reset", stderr, &cf)
	c, err := connectNoArgs(fs, args, &cf, getenv)
	if err != nil {
		return err
	}
	var answer struct {
		DurationMS float64 `json:"duration_ms"`
	}
	start := time.Now()
	if _, err := c.do(ctx, http.MethodPost, "/reset", nil, &answer); err != nil {
		return err
	}
	roundTrip := time.Since(start)
	fmt.Fprintf(stdout, "reset %s to its seed state in %.1f ms (%.1f ms round trip)\n", c.base, answer.DurationMS,
		float64(roundTrip.Microseconds())/1000)
	return nil
}
