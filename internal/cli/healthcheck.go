package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

// healthcheck asks the emulator for /readyz; the Docker image has no curl,
// so its HEALTHCHECK runs this. It dials the address serve recorded in
// PLEO_EMULATOR_ADDR_FILE when there is one (so flags given to serve count),
// else the configured --addr; an --addr given to healthcheck itself wins.
func healthcheck(ctx context.Context, args []string, getenv Env, _, stderr io.Writer) error {
	cfg, err := config.Load("pleo-emulator healthcheck", args, getenv, stderr)
	if err != nil {
		return err
	}
	addr := cfg.Addr
	if recorded := readAddrFile(getenv(addrFileEnv)); recorded != "" && !hasFlag(args, "addr") {
		addr = recorded
	}
	target, err := dialAddr(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+target+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not healthy: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not healthy: /readyz answered %s", resp.Status)
	}
	return nil
}

// hasFlag reports whether args set the flag name (-name, --name, with or
// without =value), as the flag package reads them.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}
