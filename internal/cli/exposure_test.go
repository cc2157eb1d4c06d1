package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/cli"
)

// serveBanner starts serve with args, waits for its banner, stops it and
// returns what it wrote to stdout and stderr.
func serveBanner(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs syncBuffer
	done := make(chan int, 1)
	args = append([]string{"serve", "--db", filepath.Join(t.TempDir(), "e.db"), "--log-level", "warn"}, args...)
	go func() { done <- cli.Run(ctx, args, noEnv, &out, &errs) }()
	deadline := time.Now().Add(60 * time.Second) // a start under -race on a busy machine
	for !strings.Contains(out.String(), "API base URL") {
		if time.Now().After(deadline) {
			t.Fatalf("no banner; stdout=%q stderr=%q", out.String(), errs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel() // serve writes the banner and the warning before it waits for ctx
	<-done
	return out.String(), errs.String()
}

func TestServeWarnsWhenTheControlAPIHasNoTokenBeyondLoopback(t *testing.T) {
	stdout, stderr := serveBanner(t, "--addr", "0.0.0.0:0")
	for name, text := range map[string]string{"banner": stdout, "log": stderr} {
		if !strings.Contains(text, "WARN") || !strings.Contains(text, "fix: --control-token <secret>") {
			t.Errorf("%s lacks the warning with its fix:\n%s", name, text)
		}
	}
	stdout, stderr = serveBanner(t, "--addr", "0.0.0.0:0", "--control-open")
	if !strings.Contains(stdout, "lets every machine") || !strings.Contains(stderr, "lets every machine") {
		t.Errorf("--control-open: no warning that every machine may use it:\n%s\n%s", stdout, stderr)
	}
	for _, args := range [][]string{
		{"--addr", "127.0.0.1:0"},
		{"--addr", "0.0.0.0:0", "--control-token", "s3cret"},
		{"--addr", "0.0.0.0:0", "--control=false"},
	} {
		stdout, stderr := serveBanner(t, args...)
		if strings.Contains(stdout+stderr, "WARN") {
			t.Errorf("%v: unexpected warning:\n%s\n%s", args, stdout, stderr)
		}
	}
}
