//go:build pprof

package main

// Built with -tags pprof (make profile does), the emulator serves
// net/http/pprof on the loopback address in PLEO_EMULATOR_PPROF_ADDR, on a
// listener of its own, and records mutex and block profiles. Release
// builds do not contain this file, so no build exposes pprof by default.

import (
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
)

func init() {
	addr := os.Getenv("PLEO_EMULATOR_PPROF_ADDR")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		log.Fatalf("PLEO_EMULATOR_PPROF_ADDR %q: give a loopback host:port", addr)
	}
	runtime.SetMutexProfileFraction(5)
	runtime.SetBlockProfileRate(100_000) // one blocking event per 100 µs blocked, on average
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatalf("pprof listener: %v", err)
	}
	go func() { log.Print(http.Serve(l, mux)) }()
}
