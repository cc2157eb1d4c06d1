// Command pleo-bench measures a pleo-emulator binary: start-up time to
// /readyz on a fresh database with the demo seed, resident memory, and (with
// later modes) request throughput. It prints a Markdown table.
//
//	go build -o bin/pleo-emulator ./cmd/pleo-emulator
//	go run ./cmd/pleo-bench -binary bin/pleo-emulator -runs 10
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	binary := flag.String("binary", "bin/pleo-emulator", "path to the pleo-emulator binary")
	runs := flag.Int("runs", 10, "number of fresh starts to time")
	flag.Parse()
	if err := startup(*binary, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "pleo-bench:", err)
		os.Exit(1)
	}
}

// startup starts the binary runs times on a fresh database and reports the
// median time from process start to the first 200 from /readyz, and the
// resident memory right after.
func startup(binary string, runs int) error {
	info, err := os.Stat(binary)
	if err != nil {
		return err
	}
	var times []time.Duration
	var rss []int
	for i := range runs {
		d, mem, err := startOnce(binary)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		times, rss = append(times, d), append(rss, mem)
	}
	slices.Sort(times)
	slices.Sort(rss)
	fmt.Println("| measure | value |")
	fmt.Println("|---|---|")
	fmt.Printf("| start-up to /readyz 200, fresh database with demo seed (median of %d) | %.1f ms (min %.1f, max %.1f) |\n",
		runs, ms(times[len(times)/2]), ms(times[0]), ms(times[len(times)-1]))
	fmt.Printf("| resident memory after start (median) | %.1f MB |\n", float64(rss[len(rss)/2])/1024)
	fmt.Printf("| binary size | %.1f MB |\n", float64(info.Size())/(1<<20))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func startOnce(binary string) (time.Duration, int, error) {
	dir, err := os.MkdirTemp("", "pleo-bench")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(binary, "serve", "--addr", addr, "--db", filepath.Join(dir, "e.db"), "--log-level", "warn")
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 10*time.Second {
			return 0, 0, fmt.Errorf("no /readyz 200 within 10s")
		}
		time.Sleep(500 * time.Microsecond)
	}
	elapsed := time.Since(start)
	return elapsed, residentKB(cmd.Process.Pid), nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// residentKB reads VmRSS from /proc (Linux only; 0 elsewhere).
func residentKB(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}
