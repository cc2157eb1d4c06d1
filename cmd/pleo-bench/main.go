// Command pleo-bench measures a pleo-emulator binary and prints one Markdown
// table: start-up time to /readyz on a fresh database with the demo seed,
// resident memory, the token endpoint under load (code exchange and refresh
// grant, many concurrent clients) next to the raw RS256 signing rate measured
// in the same run, the API under load (GET /v2/employees), and both again
// while a flood of webhook deliveries runs. Load comes from Debian's wrk
// when it is installed (apt-get install wrk), else from a Go load generator
// that shares the cores with the emulator. Every request loop is bounded in
// time and sends traffic only to the loopback address.
//
//	make build && go run ./cmd/pleo-bench -binary bin/pleo-emulator
//
// With -pprof DIR (and a binary built with -tags pprof, as make profile
// does) it saves CPU, mutex and block profiles of each load into DIR.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// bench is what the phases of one run share: the binary and settings, and,
// started when a phase first needs them, a server and the signing rate.
type bench struct {
	binary       string
	runs         int
	duration     time.Duration
	tokenClients int
	apiConns     int
	soakTotal    int
	soakChains   int
	soakTTL      time.Duration
	floodFanOut  int
	floodRounds  int
	srv          *server
	signRate     float64
}

// phase is one part of the report; a full run takes, in this order, every
// phase not marked onlyNamed (those run only when -only names them). A
// phase that needs the shared server (or also the raw signing rate) gets
// it started (or measured) before it runs, once per run.
type phase struct {
	name      string
	needs     need
	onlyNamed bool
	run       func(b *bench, s *server) ([][2]string, error)
}

type need int

const (
	nothing need = iota
	sharedServer
	sharedServerAndSigningRate
)

var phases = []phase{
	{"startup", nothing, false, func(b *bench, _ *server) ([][2]string, error) { return b.startup() }},
	{"reset", sharedServer, false, func(_ *bench, s *server) ([][2]string, error) { return resetTime(s, 10) }},
	{"exchange", sharedServerAndSigningRate, false, func(b *bench, s *server) ([][2]string, error) {
		return exchangeLoad(s, b.tokenClients, b.duration, b.signRate)
	}},
	{"refresh", sharedServerAndSigningRate, false, func(b *bench, s *server) ([][2]string, error) {
		return refreshLoad(s, b.tokenClients, b.duration, b.signRate)
	}},
	{"api", sharedServer, false, func(b *bench, s *server) ([][2]string, error) { return apiLoad(s, b.apiConns, b.duration) }},
	{"receipts", sharedServer, false, func(b *bench, s *server) ([][2]string, error) { return receiptsLoad(s, b.apiConns, b.duration) }},
	{"flood", nothing, false, func(b *bench, _ *server) ([][2]string, error) {
		return floodLoad(b.binary, b.tokenClients, b.apiConns, b.floodFanOut, b.floodRounds, b.duration)
	}},
	{"soak", nothing, true, func(b *bench, _ *server) ([][2]string, error) {
		return soakLoad(b.binary, b.soakChains, b.soakTotal, b.soakTTL)
	}},
	{"scale", nothing, true, func(b *bench, _ *server) ([][2]string, error) { return scaleLoad(b.binary) }},
}

func main() {
	var b bench
	flag.StringVar(&b.binary, "binary", "bin/pleo-emulator", "path to the pleo-emulator binary")
	flag.IntVar(&b.runs, "runs", 10, "fresh starts to time")
	flag.DurationVar(&b.duration, "duration", 10*time.Second, "length of each load phase")
	flag.IntVar(&b.tokenClients, "token-clients", 32, "concurrent clients exchanging codes and refreshing tokens")
	flag.IntVar(&b.apiConns, "api-conns", 64, "concurrent connections calling the API")
	var names []string
	for _, p := range phases {
		names = append(names, p.name)
	}
	only := flag.String("only", "", "run one phase: "+strings.Join(names, ", ")+" (soak and scale run only when named)")
	flag.IntVar(&b.soakTotal, "soak-refreshes", 200_000, "refreshes in the soak phase")
	flag.IntVar(&b.soakChains, "soak-chains", 100, "concurrent refresh chains in the soak phase")
	flag.DurationVar(&b.soakTTL, "soak-access-ttl", 30*time.Second, "access-token lifetime of the soak phase's server")
	flag.IntVar(&b.floodFanOut, "flood-subscriptions", 100, "webhook subscriptions each flood event is delivered to")
	flag.IntVar(&b.floodRounds, "flood-rounds", 3, "quiet and flooded measurements of each load in the flood phase, in alternating order")
	flag.StringVar(&profileDir, "pprof", "", "save CPU, mutex and block profiles of each load in this directory (needs a binary built with -tags pprof)")
	flag.Parse()
	if *only != "" && !slices.Contains(names, *only) {
		fmt.Fprintf(os.Stderr, "pleo-bench: unknown phase %q (phases: %s)\n", *only, strings.Join(names, ", "))
		os.Exit(2)
	}

	rows, err := b.run(*only)
	if b.srv != nil {
		b.srv.stop()
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

// run runs the phase named only, or every phase of a full run.
func (b *bench) run(only string) ([][2]string, error) {
	if _, err := os.Stat(b.binary); err != nil {
		return nil, err
	}
	rows := [][2]string{{"machine", machine()}}
	for _, p := range phases {
		if only != p.name && (only != "" || p.onlyNamed) {
			continue
		}
		setup, err := b.prepare(p.needs)
		if err != nil {
			return rows, err
		}
		r, err := p.run(b, b.srv)
		if err != nil {
			return rows, fmt.Errorf("%s: %w", p.name, err)
		}
		rows = append(append(rows, setup...), r...)
	}
	return rows, nil
}

// prepare starts the shared server and measures the signing rate, as
// far as n needs and not done yet, and returns the rows reporting them.
func (b *bench) prepare(n need) ([][2]string, error) {
	var rows [][2]string
	if n >= sharedServer && b.srv == nil {
		srv, err := startServer(b.binary)
		if err != nil {
			return nil, err
		}
		b.srv = srv
		rows = append(rows, [2]string{"resident memory, idle after start", fmt.Sprintf("%.1f MiB", srv.rssMB())})
	}
	if n >= sharedServerAndSigningRate && b.signRate == 0 {
		rate, err := signingRate(3 * time.Second)
		if err != nil {
			return nil, err
		}
		b.signRate = rate
		rows = append(rows, [2]string{"raw RS256 signing rate (2048-bit, all cores, same run)", fmt.Sprintf("%.0f signatures/s", rate)})
	}
	return rows, nil
}

// startup times fresh starts and reports the binary's size.
func (b *bench) startup() ([][2]string, error) {
	rows, err := startup(b.binary, b.runs)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(b.binary)
	if err != nil {
		return nil, err
	}
	return append(rows, [2]string{"binary size", fmt.Sprintf("%.1f MiB", float64(info.Size())/(1<<20))}), nil
}
