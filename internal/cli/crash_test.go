package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/cli"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// serveChildEnv, when set, turns the test binary into the emulator: TestMain
// runs the command line through cli.Run, as main does, instead of the tests.
// The child stops when its standard input closes, so it never outlives the
// test binary, even one that is killed.
const serveChildEnv = "PLEO_EMULATOR_TEST_SERVE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(serveChildEnv) == "" {
		os.Exit(m.Run())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	code := cli.Run(ctx, os.Args[1:], noEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// crashPublicURL is both processes' public URL, so the tokens the first one
// signed (iss, aud) verify in the second.
const crashPublicURL = "http://localhost:8080"

// process is an emulator running as a child process on a loopback port.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	url            string
	done           chan struct{} // closed when the process has exited
	err            error         // cmd.Wait's result, once done
}

// startProcess runs "serve" on db in a child process and waits for its
// banner. The test's cleanup kills the child if it still runs.
func startProcess(t *testing.T, db string) *process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{done: make(chan struct{})}
	p.cmd = exec.Command(exe, "serve", "--addr", "127.0.0.1:0", "--db", db, "--public-url", crashPublicURL, "--log-level", "error")
	p.cmd.Env = append(os.Environ(), serveChildEnv+"=1")
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	stdin, err := p.cmd.StdinPipe() // held open until the child exits: see serveChildEnv
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		stdin.Close()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	deadline := time.After(30 * time.Second)
	for {
		if m := listening.FindStringSubmatch(p.stdout.String()); m != nil {
			p.url = "http://" + m[1]
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("the emulator exited before listening: %v; stderr: %s", p.err, p.stderr.String())
		case <-deadline:
			t.Fatalf("no banner after 30s; stdout %q, stderr %q", p.stdout.String(), p.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL, as a crash would, and waits for the process to exit.
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop asks the process to shut down (SIGINT, like Ctrl-C) and requires a
// clean exit within 20 seconds.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("exit after SIGINT: %v; stderr: %s", p.err, p.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit 20s after SIGINT")
	}
}

// pair is a token pair as the client received it.
type pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// post sends one request to the emulator and reads the whole answer; err is
// set when no complete answer arrived. Token endpoint requests authenticate
// as the demo client.
func post(client *http.Client, u, contentType, body string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if strings.Contains(u, "/oauth/") {
		req.SetBasicAuth(seed.DemoClientID, seed.DemoClientSecret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// chain is one grant's history as the client saw it.
type chain struct {
	// pairs are the pairs the client received in full: pairs[0] from the
	// mint, pairs[i+1] from refreshing pairs[i], which it superseded.
	pairs []pair
	// inFlight is set when a refresh of the last pair was sent and no
	// complete answer came back: the kill may have come before or after its
	// commit, so the last pair may be either live or rotated away.
	inFlight bool
	// reuse selects the check for chains that finished their last request:
	// false refreshes the last pair (it must work once), true presents the
	// superseded refresh token (it must fail, revoking the grant). A chain
	// gets one of the two, as a reuse revokes the whole grant.
	reuse bool
}

// TestSIGKILLLosesNoTokenTheClientReceived runs the emulator as a child
// process on a file database, puts it under load (parallel mints through
// the control API and refresh chains at /oauth/token), kills it with
// SIGKILL in the middle of the load and starts a new process on the same
// file. Then every pair the client received in full and did not rotate is
// active and refreshes exactly once, every rotated refresh token is dead,
// requests the kill cut off may have taken effect or not but nothing in
// between, and the database passes PRAGMA integrity_check.
//
// The store runs SQLite in WAL mode with synchronous=NORMAL: a commit is in
// the WAL file (the operating system's page cache) before the response is
// written, and that survives the death of the process. It does not survive
// an operating-system crash or power loss, which this test does not cover.
func TestSIGKILLLosesNoTokenTheClientReceived(t *testing.T) {
	const (
		workers     = 8
		refreshes   = 4   // per chain, after its mint
		killAfter   = 400 // completed requests before the kill
		loadTimeout = 30 * time.Second
	)
	db := filepath.Join(t.TempDir(), "crash.db")
	first := startProcess(t, db)
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	defer client.CloseIdleConnections()

	var (
		killed    atomic.Bool  // set just before the SIGKILL
		completed atomic.Int64 // requests answered in full
		mu        sync.Mutex
		chains    []*chain
		wg        sync.WaitGroup
	)
	// do sends one request during the load. It reports whether a 200 came
	// back in full; a request cut off by the kill is false, anything else
	// (an error before the kill, another status) fails the test.
	do := func(path, contentType, body string, out *pair) bool {
		status, raw, err := post(client, first.url+path, contentType, body)
		switch {
		case err != nil && killed.Load():
			return false
		case err != nil:
			t.Errorf("POST %s before the kill: %v", path, err)
			return false
		case status != http.StatusOK:
			t.Errorf("POST %s: %d %s", path, status, raw)
			return false
		}
		if err := json.Unmarshal(raw, out); err != nil || out.AccessToken == "" || out.RefreshToken == "" {
			t.Errorf("POST %s: %v in %s", path, err, raw)
			return false
		}
		completed.Add(1)
		return true
	}
	mintBody := `{"client_id": "` + seed.DemoClientID + `", "subject": "` + seed.DenmarkID + `", "scope": "users:read"}`
	for range workers {
		wg.Go(func() {
			for !killed.Load() {
				var minted pair
				if !do("/_emulator/tokens", "application/json", mintBody, &minted) {
					return
				}
				mu.Lock()
				c := &chain{pairs: []pair{minted}, reuse: len(chains)%2 == 1}
				chains = append(chains, c)
				mu.Unlock()
				for range refreshes {
					if killed.Load() {
						return
					}
					form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.pairs[len(c.pairs)-1].RefreshToken}}
					var next pair
					if !do("/oauth/token", "application/x-www-form-urlencoded", form.Encode(), &next) {
						c.inFlight = true
						return
					}
					c.pairs = append(c.pairs, next)
				}
			}
		})
	}

	deadline := time.Now().Add(loadTimeout)
	for completed.Load() < killAfter && !t.Failed() {
		if time.Now().After(deadline) {
			killed.Store(true)
			first.kill()
			wg.Wait()
			t.Fatalf("only %d requests completed in %v", completed.Load(), loadTimeout)
		}
		time.Sleep(time.Millisecond)
	}
	killed.Store(true)
	first.kill()
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if strings.Contains(first.stderr.String(), "DATA RACE") {
		t.Errorf("the first process reported a data race:\n%s", first.stderr.String())
	}
	if ws, ok := first.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the first process did not die of SIGKILL: %v", first.err)
	}

	second := startProcess(t, db)
	check := newCrashChecker(t, second.url)
	var cutOff, rotatedAway, survived, reused int
	for _, c := range chains {
		last := c.pairs[len(c.pairs)-1]
		superseded := c.pairs[:len(c.pairs)-1]
		// Introspection never triggers reuse detection: every rotated
		// refresh token of every chain must be inactive.
		for _, p := range superseded {
			if check.active(p.RefreshToken) {
				t.Errorf("a refresh token rotated away before the kill is active after the restart")
			}
		}
		switch {
		case c.inFlight:
			// The kill cut off a refresh of last: committed or not, but
			// consistent: live and refreshable, or rotated away and refused.
			cutOff++
			if check.active(last.RefreshToken) {
				check.refresh(last.RefreshToken, http.StatusOK)
			} else {
				rotatedAway++
				check.refresh(last.RefreshToken, http.StatusBadRequest)
			}
		case c.reuse && len(superseded) > 0:
			reused++
			if !check.active(last.AccessToken) || !check.active(last.RefreshToken) {
				t.Errorf("a pair received before the kill is not active after the restart")
			}
			check.refresh(superseded[len(superseded)-1].RefreshToken, http.StatusBadRequest)
			if check.active(last.AccessToken) || check.active(last.RefreshToken) {
				t.Errorf("presenting a rotated refresh token after the restart did not revoke the grant")
			}
		default:
			survived++
			if !check.active(last.AccessToken) || !check.active(last.RefreshToken) {
				t.Errorf("a pair received before the kill is not active after the restart")
			}
			next := check.refresh(last.RefreshToken, http.StatusOK)
			if next.RefreshToken == last.RefreshToken || next.AccessToken == last.AccessToken {
				t.Errorf("a refresh after the restart did not rotate")
			}
			check.refresh(last.RefreshToken, http.StatusBadRequest)
		}
	}
	t.Logf("%d chains, %d requests before the kill: %d refreshed once after the restart, %d refused a rotated token, "+
		"%d cut off by the kill (%d of them had committed)", len(chains), completed.Load(), survived, reused, cutOff, rotatedAway)
	if survived < 10 || reused < 10 {
		t.Errorf("too few finished chains to check: %d and %d", survived, reused)
	}

	second.stop(t)
	if strings.Contains(second.stderr.String(), "DATA RACE") {
		t.Errorf("the second process reported a data race:\n%s", second.stderr.String())
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if res, err := st.IntegrityCheck(context.Background()); err != nil || res != "ok" {
		t.Fatalf("integrity_check after the crash and restart: %q %v", res, err)
	}
}

// crashChecker asks the restarted emulator about tokens, failing the test on
// any unexpected answer.
type crashChecker struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newCrashChecker(t *testing.T, base string) *crashChecker {
	c := &crashChecker{t: t, base: base, client: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{}}}
	t.Cleanup(c.client.CloseIdleConnections)
	return c
}

// active introspects token as the demo client.
func (c *crashChecker) active(token string) bool {
	c.t.Helper()
	return introspect(c.t, c.base, token)["active"] == true
}

// refresh uses refreshToken once and requires status: a new pair for 200,
// invalid_grant for 400.
func (c *crashChecker) refresh(refreshToken string, status int) pair {
	c.t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	got, raw, err := post(c.client, c.base+"/oauth/token", "application/x-www-form-urlencoded", form.Encode())
	if err != nil {
		c.t.Fatal(err)
	}
	var out struct {
		pair
		Error string `json:"error"`
	}
	err = json.Unmarshal(raw, &out)
	switch {
	case err != nil || got != status:
		c.t.Errorf("refresh: %d %s (%v), want %d", got, raw, err, status)
	case status == http.StatusOK && (out.AccessToken == "" || out.RefreshToken == ""):
		c.t.Errorf("refresh: no pair in %s", raw)
	case status != http.StatusOK && out.Error != "invalid_grant":
		c.t.Errorf("refresh: %s, want invalid_grant", raw)
	}
	return out.pair
}
