package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// soakLoad runs total refreshes spread over chains concurrent refresh
// chains against a server of its own (started with a short access-token
// lifetime, so the records of expired access tokens start to go within the
// run) and reports, at every tenth of the run, the database's size on disk
// (main file and WAL), the resident memory and the p50 and p99 of the
// refreshes since the previous report. Size and memory should level off
// once housekeeping deletes as much as each interval adds.
func soakLoad(binary string, chains, total int, accessTTL time.Duration) ([][2]string, error) {
	s, err := startServer(binary, "--access-token-ttl", accessTTL.String())
	if err != nil {
		return nil, err
	}
	defer s.stop()
	c := newClient(chains)
	refresh := make([]string, chains)
	for i := range refresh {
		p, err := mintPair(c, s.url, "users:read")
		if err != nil {
			return nil, err
		}
		refresh[i] = p.RefreshToken
	}
	var (
		done     atomic.Int64
		failures atomic.Int64
		mu       sync.Mutex
		window   []time.Duration
	)
	step := total / 10
	var rows [][2]string
	report := func(label string, elapsed time.Duration) {
		mu.Lock()
		lat := window
		window = nil
		mu.Unlock()
		slices.Sort(lat)
		p50, p99 := 0.0, 0.0
		if n := len(lat); n > 0 {
			p50, p99 = ms(lat[n/2]), ms(lat[min(n-1, n*99/100)])
		}
		row := [2]string{fmt.Sprintf("soak, %s (%s)", label, elapsed.Round(time.Second)),
			fmt.Sprintf("database %.1f MiB, resident memory %.1f MiB, p50 %.1f ms, p99 %.1f ms, %d errors",
				dbMiB(s.dir), s.rssMB(), p50, p99, failures.Load())}
		rows = append(rows, row)
		fmt.Fprintf(os.Stderr, "%s: %s\n", row[0], row[1]) // progress: a soak runs for minutes
	}
	start := time.Now()
	report("start, 0 refreshes", 0)
	var wg sync.WaitGroup
	next := make(chan struct{}, chains)
	for i := range chains {
		wg.Go(func() {
			for range next {
				t0 := time.Now()
				nt, err := refreshOnce(c, s.url, refresh[i])
				if err != nil {
					failures.Add(1)
					continue
				}
				d := time.Since(t0)
				refresh[i] = nt
				mu.Lock()
				window = append(window, d)
				mu.Unlock()
				done.Add(1)
			}
		})
	}
	for n := 1; n <= total; n++ {
		next <- struct{}{}
		if n%step == 0 {
			for done.Load()+failures.Load() < int64(n-chains) { // let the queue drain to this point
				time.Sleep(time.Millisecond)
			}
			report(fmt.Sprintf("%d refreshes", n), time.Since(start))
		}
	}
	close(next)
	wg.Wait()
	return rows, nil
}

// dbMiB is the size of the database's main file and WAL in dir.
func dbMiB(dir string) float64 {
	var size int64
	for _, name := range []string{"e.db", "e.db-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			size += fi.Size()
		}
	}
	return float64(size) / (1 << 20)
}
