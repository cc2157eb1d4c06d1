// Command pleo-emulator is a local stand-in for Pleo's OAuth 2.0
// authorisation server and External API.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pleo-emulator/pleo-emulator/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
