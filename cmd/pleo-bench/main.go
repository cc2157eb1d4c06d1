// Command pleo-bench measures a pleo-emulator binary and prints one Markdown
// table: start-up time to /readyz on a fresh database with the demo seed,
// resident memory, the token endpoint under load (code exchange and refresh
// grant, many concurrent clients) next to the raw RS256 signing rate measured
// in the same run, and the API under load (GET /v2/employees). Load comes from
// Debian's wrk when it is installed (apt-get install wrk), else from a Go
// load generator that shares the cores with the emulator. Every request loop
// is bounded in time and sends traffic only to the loopback address.
//
//	make build && go run ./cmd/pleo-bench -binary bin/pleo-emulator
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	binary := flag.String("binary", "bin/pleo-emulator", "path to the pleo-emulator binary")
	runs := flag.Int("runs", 10, "fresh starts to time")
	duration := flag.Duration("duration", 10*time.Second, "length of each load phase")
	refreshClients := flag.Int("token-clients", 32, "concurrent clients exchanging codes and refreshing tokens")
	apiConns := flag.Int("api-conns", 64, "concurrent connections calling the API")
	only := flag.String("only", "", "run one phase: startup, reset, exchange, refresh, api, receipts, soak or scale (soak and scale run only when named)")
	soakTotal := flag.Int("soak-refreshes", 200_000, "refreshes in the soak phase")
	soakChains := flag.Int("soak-chains", 100, "concurrent refresh chains in the soak phase")
	soakTTL := flag.Duration("soak-access-ttl", 30*time.Second, "access-token lifetime of the soak phase's server")
	flag.Parse()

	var rows [][2]string
	var err error
	if *only == "scale" {
		rows, err = scaleLoad(*binary)
	} else if *only == "soak" {
		rows, err = soakLoad(*binary, *soakChains, *soakTotal, *soakTTL)
	} else {
		rows, err = run(*binary, *runs, *duration, *refreshClients, *apiConns, *only)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pleo-bench:", err)
		os.Exit(1)
	}
	fmt.Println("| measure | value |")
	fmt.Println("|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s |\n", r[0], r[1])
	}
}

func run(binary string, runs int, duration time.Duration, refreshClients, apiConns int, only string) ([][2]string, error) {
	var rows [][2]string
	info, err := os.Stat(binary)
	if err != nil {
		return nil, err
	}
	rows = append(rows, [2]string{"machine", machine()})
	if only == "" || only == "startup" {
		r, err := startup(binary, runs)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
		rows = append(rows, [2]string{"binary size", fmt.Sprintf("%.1f MiB", float64(info.Size())/(1<<20))})
	}
	if only == "startup" {
		return rows, nil
	}
	srv, err := startServer(binary)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	rows = append(rows, [2]string{"resident memory, idle after start", fmt.Sprintf("%.1f MiB", srv.rssMB())})
	if only == "" || only == "reset" {
		r, err := resetTime(srv, 10)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	var signRate float64
	if only == "" || only == "exchange" || only == "refresh" {
		if signRate, err = signingRate(3 * time.Second); err != nil {
			return nil, err
		}
		rows = append(rows, [2]string{"raw RS256 signing rate (2048-bit, all cores, same run)", fmt.Sprintf("%.0f signatures/s", signRate)})
	}
	if only == "" || only == "exchange" {
		r, err := exchangeLoad(srv, refreshClients, duration, signRate)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	if only == "" || only == "refresh" {
		r, err := refreshLoad(srv, refreshClients, duration, signRate)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	if only == "" || only == "api" {
		r, err := apiLoad(srv, apiConns, duration)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	if only == "" || only == "receipts" {
		r, err := receiptsLoad(srv, apiConns, duration)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}
