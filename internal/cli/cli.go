// Package cli is the pleo-emulator command line: it parses the subcommand
// and runs it. main() only calls Run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=...".
var Version = "dev"

// Env gives access to the process environment (os.Getenv in production).
type Env func(string) string

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the emulator (the default)", serve},
		{"healthcheck", "exit 0 when the emulator at --addr answers /readyz", healthcheck},
		{"token", "mint a token pair from a running emulator (control API)", token},
		{"clients", "add, list or delete OAuth clients of a running emulator", clients},
		{"reset", "restore a running emulator's seed state", reset},
		{"event", "perform a customer action that fires a webhook event (export, vendor)", event},
		{"spend", "record accounting entries and settle, review, edit or delete them", spendCommand},
		{"version", "print the version", func(_ context.Context, _ []string, _ Env, stdout, _ io.Writer) error {
			fmt.Fprintln(stdout, "pleo-emulator", Version)
			return nil
		}},
	}
}

// Run executes the command line args (without the program name) and returns
// the process exit code. Errors are printed as one line on stderr.
func Run(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) int {
	name, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, rest = args[0], args[1:]
	}
	switch {
	case name == "help" && len(rest) > 0:
		// "help <command>" is "<command> -h".
		name, rest = rest[0], []string{"-h"}
	case name == "help":
		usage(stdout)
		return 0
	case len(args) > 0 && isHelpFlag(args[0]):
		// Without a command, -h describes the program: its commands, then
		// the flags of serve, the command it runs by default.
		usage(stdout)
		fmt.Fprintln(stdout)
		if err := serve(ctx, []string{"-h"}, getenv, stdout, stdout); !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "pleo-emulator:", err)
			return 1
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, rest, getenv, stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			default:
				fmt.Fprintln(stderr, "pleo-emulator:", err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "pleo-emulator: unknown command %q (run 'pleo-emulator help')\n", name)
	return 2
}

// isHelpFlag reports whether arg asks for help, as the flag package reads it.
func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "--h"
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "pleo-emulator: a local stand-in for Pleo's OAuth 2.0 server and External API.")
	fmt.Fprintln(w, "\nUsage: pleo-emulator [command] [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'pleo-emulator <command> -h' (or 'pleo-emulator help <command>') for a command's flags.")
}
