package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/cli"
)

// TestHealthcheckFollowsTheAddressServeRecorded: with PLEO_EMULATOR_ADDR_FILE
// (as the Docker image sets it), healthcheck dials the address serve really
// listens on, even when its own configuration names another one, and the
// file is gone after a graceful shutdown. The control commands find the
// emulator there too (docker exec ... pleo-emulator clients list).
func TestHealthcheckFollowsTheAddressServeRecorded(t *testing.T) {
	dir := t.TempDir()
	addrFile := filepath.Join(dir, "addr")
	env := func(k string) string {
		switch k {
		case "PLEO_EMULATOR_ADDR_FILE":
			return addrFile
		case "PLEO_EMULATOR_ADDR":
			return "127.0.0.1:1" // what healthcheck alone would dial: nothing listens there
		case "PLEO_EMULATOR_PUBLIC_URL":
			return "http://localhost:1" // a browser's URL, as behind a port mapping
		}
		return ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "e.db"), "--log-level", "warn"}, env, &stdout, &stderr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for listening.FindStringSubmatch(stdout.String()) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no banner; stderr=%q", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	recorded, err := os.ReadFile(addrFile)
	if err != nil || !strings.HasPrefix(string(recorded), "127.0.0.1:") {
		t.Fatalf("address file = %q, %v", recorded, err)
	}
	var out syncBuffer
	if code := cli.Run(ctx, []string{"healthcheck"}, env, &out, &out); code != 0 {
		t.Errorf("healthcheck with the recorded address: exit %d: %s", code, out.String())
	}
	if code := cli.Run(ctx, []string{"clients", "list"}, env, &out, &out); code != 0 || !strings.Contains(out.String(), "demo-client") {
		t.Errorf("clients list did not reach the emulator at its recorded address: exit %d: %s", code, out.String())
	}
	if code := cli.Run(ctx, []string{"healthcheck", "--addr", "127.0.0.1:1"}, env, &out, &out); code == 0 {
		t.Error("an --addr given to healthcheck did not win over the recorded address")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(addrFile); !os.IsNotExist(err) {
		t.Errorf("address file left behind after shutdown: %v", err)
	}
}

// TestUnwritableDatabaseDirectorySaysWhatToDo: instead of SQLite's "unable
// to open database file (14)", serve names the directory and the fixes.
func TestUnwritableDatabaseDirectorySaysWhatToDo(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope", "e.db")
	var stdout, stderr syncBuffer
	if code := cli.Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", missing}, noEnv, &stdout, &stderr); code == 0 {
		t.Fatal("serve started without a database directory")
	}
	if !strings.Contains(stderr.String(), "does not exist") {
		t.Errorf("stderr = %q", stderr.String())
	}
	if os.Geteuid() == 0 {
		t.Skip("running as root, which may write anywhere: the permission case cannot be reproduced")
	}
	ro := t.TempDir()
	if err := os.Chmod(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(ro, 0o755) })
	stderr = syncBuffer{}
	if code := cli.Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(ro, "e.db")}, noEnv, &stdout, &stderr); code == 0 {
		t.Fatal("serve started with a read-only database directory")
	}
	for _, want := range []string{"cannot write to the directory", "65532", "named volume"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q: %q", want, stderr.String())
		}
	}
}
