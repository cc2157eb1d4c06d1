package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrk drives the load with Debian's wrk when it is installed: a C load
// generator takes far less of the two cores than a Go client would, so the
// numbers describe the emulator rather than the client. Without wrk the Go
// load generator in load.go is used, and the table says so.

// wrkResult is what one wrk run reports.
type wrkResult struct {
	rps, p50, p99 float64
	errors        int64
	firstErr      string // the Go load generator's first error, if any
}

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	wrkSockErr = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkLatency = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
)

// queueScript is the start of every token-endpoint wrk script: each wrk
// thread loads its share of the lines of a file (refresh tokens, codes) into
// a queue; take() takes one off and put() adds one. A request takes the next
// value, so no value is ever sent twice while two threads serve all the
// connections (a thread per connection would spend the cores the emulator is
// measured on). wrk calls request() once on thread 0 before the run to check
// the script; a placeholder at the head of thread 0's queue absorbs that call.
const queueScript = `
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
local queue, head, tail = {}, 1, 0
function put(value)
  tail = tail + 1
  queue[tail] = value
end
function take()
  local value = queue[head] or "exhausted"
  queue[head] = nil
  head = head + 1
  return value
end
function init(args)
  if id == 0 then put("script-check") end
  local threads, i = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    if i % threads == id then put(line) end
    i = i + 1
  end
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
`

// refreshScript refreshes the queued tokens; each response puts the rotated
// refresh token back on the queue, so every connection follows a chain.
const refreshScript = queueScript + `
wrk.headers["Authorization"] = "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ="
function request()
  return wrk.format(nil, nil, nil, "grant_type=refresh_token&refresh_token=" .. take())
end
function response(status, headers, body)
  local t = body:match('"refresh_token":"([^"]+)"')
  if t then put(t) end
end
`

// wrkThreads is how many threads wrk runs: one per core of the test machine
// is plenty for a C client, and leaves the rest to the emulator.
const wrkThreads = "2"

func haveWrk() bool {
	_, err := exec.LookPath("wrk")
	return err == nil
}

// runWrk runs wrk with args and parses its report.
func runWrk(args ...string) (wrkResult, error) {
	out, err := exec.Command("wrk", args...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %v: %s", err, out)
	}
	var r wrkResult
	m := wrkRPS.FindSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk printed no rate: %s", out)
	}
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		r.errors, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	if m := wrkSockErr.FindSubmatch(out); m != nil {
		for _, g := range m[1:] {
			n, _ := strconv.ParseInt(string(g), 10, 64)
			r.errors += n
		}
	}
	for _, m := range wrkLatency.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		switch string(m[3]) {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		if string(m[1]) == "50" {
			r.p50 = v
		} else {
			r.p99 = v
		}
	}
	return r, nil
}

// wrkRefresh runs clients refresh chains through wrk for d.
func wrkRefresh(s *server, refreshTokens []string, d time.Duration) (wrkResult, error) {
	return runQueueWrk(s, refreshScript, refreshTokens, len(refreshTokens), d)
}

// runQueueWrk runs a script built on queueScript against the token endpoint
// with conns connections for d, feeding it lines; extra goes before the URL.
func runQueueWrk(s *server, script string, lines []string, conns int, d time.Duration, extra ...string) (wrkResult, error) {
	dir, err := os.MkdirTemp("", "pleo-bench-wrk")
	if err != nil {
		return wrkResult{}, err
	}
	defer os.RemoveAll(dir)
	scriptPath, linesPath := filepath.Join(dir, "script.lua"), filepath.Join(dir, "lines")
	if err := os.WriteFile(scriptPath, []byte(script), 0o600); err != nil {
		return wrkResult{}, err
	}
	if err := os.WriteFile(linesPath, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return wrkResult{}, err
	}
	args := append([]string{"-t" + wrkThreads, "-c" + strconv.Itoa(conns), "-d" + d.String(), "--latency", "-s", scriptPath}, extra...)
	return runWrk(append(args, s.url+"/oauth/token", "--", linesPath, wrkThreads)...)
}
