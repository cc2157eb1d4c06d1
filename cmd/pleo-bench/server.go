package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server is a pleo-emulator process on a fresh database.
type server struct {
	cmd       *exec.Cmd
	dir       string
	url       string
	pprofAddr string // where the process serves net/http/pprof; "" when not profiled
	peak      int    // highest resident memory seen, kB
}

// profileDir is where profiles go (-pprof); empty means no profiling.
var profileDir string

// startServer starts the binary on a free loopback port with a fresh
// database and extra flags, and waits for /readyz. With -pprof, the
// process also serves net/http/pprof on another loopback port.
func startServer(binary string, extra ...string) (*server, error) {
	dir, addr, err := freshPlace()
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, url: "http://" + addr}
	s.cmd = serveCommand(binary, dir, addr, "--public-url", s.url, "--log-level", "error")
	s.cmd.Args = append(s.cmd.Args, extra...)
	s.cmd.Stderr = os.Stderr
	if profileDir != "" {
		if s.pprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		s.cmd.Env = append(os.Environ(), "PLEO_EMULATOR_PPROF_ADDR="+s.pprofAddr)
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	if _, err := waitReady(s.url, 10*time.Second); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// freshPlace returns a new temporary directory for a database and a free
// loopback address.
func freshPlace() (dir, addr string, err error) {
	if dir, err = os.MkdirTemp("", "pleo-bench"); err != nil {
		return "", "", err
	}
	if addr, err = freeAddr(); err != nil {
		_ = os.RemoveAll(dir)
		return "", "", err
	}
	return dir, addr, nil
}

// serveCommand is "binary serve" on addr with a database in dir.
func serveCommand(binary, dir, addr string, args ...string) *exec.Cmd {
	return exec.Command(binary, append([]string{"serve", "--addr", addr, "--db", filepath.Join(dir, "e.db")}, args...)...)
}

func (s *server) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	_ = os.RemoveAll(s.dir)
}

// rssMB reads the process's resident memory and remembers the peak.
func (s *server) rssMB() float64 {
	kb := residentKB(s.cmd.Process.Pid)
	s.peak = max(s.peak, kb)
	return float64(kb) / 1024
}

// waitReady polls /readyz until it answers 200 and returns how long that took.
func waitReady(base string, limit time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		if time.Since(start) > limit {
			return 0, fmt.Errorf("no /readyz 200 within %s", limit)
		}
		time.Sleep(500 * time.Microsecond)
	}
}

// startup starts the binary runs times on a fresh database and reports the
// median time from process start to the first 200 from /readyz, and the
// resident memory right after.
func startup(binary string, runs int) ([][2]string, error) {
	var times []time.Duration
	var rss []int
	for i := range runs {
		dir, addr, err := freshPlace()
		if err != nil {
			return nil, err
		}
		cmd := serveCommand(binary, dir, addr, "--log-level", "warn")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		_, err = waitReady("http://"+addr, 10*time.Second)
		elapsed := time.Since(start)
		kb := residentKB(cmd.Process.Pid)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = os.RemoveAll(dir)
		if err != nil {
			return nil, fmt.Errorf("start %d: %w", i+1, err)
		}
		times, rss = append(times, elapsed), append(rss, kb)
	}
	slices.Sort(times)
	slices.Sort(rss)
	return [][2]string{
		{fmt.Sprintf("start-up to /readyz 200, fresh database with demo seed (median of %d)", runs),
			fmt.Sprintf("%.1f ms (min %.1f, max %.1f)", ms(times[len(times)/2]), ms(times[0]), ms(times[len(times)-1]))},
		{"resident memory right after start (median)", fmt.Sprintf("%.1f MiB", float64(rss[len(rss)/2])/1024)},
	}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

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

// machine describes where the numbers were measured.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s/%s, %d cores, %s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), model, runtime.Version())
}

// profile takes a CPU, a mutex and a block profile of s over the next d
// (less a second, so they end before the load does) into profileDir as
// name.cpu.pprof, name.mutex.pprof and name.block.pprof; stop waits for
// them. It does nothing without -pprof.
func (s *server) profile(name string, d time.Duration) (stop func()) {
	if s.pprofAddr == "" {
		return func() {}
	}
	secs := strconv.Itoa(max(1, int(d.Seconds())-1))
	var wg sync.WaitGroup
	for kind, path := range map[string]string{"cpu": "profile", "mutex": "mutex", "block": "block"} {
		wg.Go(func() {
			file := filepath.Join(profileDir, name+"."+kind+".pprof")
			if err := download("http://"+s.pprofAddr+"/debug/pprof/"+path+"?seconds="+secs, file); err != nil {
				fmt.Fprintf(os.Stderr, "pleo-bench: %s profile: %v\n", kind, err)
			}
		})
	}
	return wg.Wait
}

// download saves what u answers in file.
func download(u, file string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", u, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
