package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/control"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// serve runs the emulator until ctx is cancelled, then shuts down gracefully.
func serve(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	cfg, err := config.Load("pleo-emulator serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	log := app.NewLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	tuneGC(getenv)
	if err := checkDatabaseDir(cfg.DB); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if path := getenv(addrFileEnv); path != "" {
		if err := writeAddrFile(path, ln.Addr().String()); err != nil {
			log.Warn("cannot record the listen address for healthcheck", "file", path, "error", err)
		} else {
			defer os.Remove(path)
		}
	}
	emu, err := app.New(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer emu.Close()
	srv := app.NewHTTPServer(emu.Handler(), app.DefaultServerLimits)
	banner(stdout, cfg, ln.Addr())
	if warning := controlWarning(cfg, ln.Addr()); warning != "" {
		fmt.Fprintf(stdout, "\n  WARNING: %s\n\n", warning)
		log.Warn(warning)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// banner prints where the emulator listens and how to use it.
func banner(w io.Writer, cfg config.Config, addr net.Addr) {
	u := cfg.PublicURL
	fmt.Fprintf(w, "pleo-emulator %s listening on %s\n", Version, addr)
	fmt.Fprintf(w, "  public URL      %s\n", u)
	fmt.Fprintf(w, "  authorize       %s/oauth/authorize\n", u)
	fmt.Fprintf(w, "  token           %s/oauth/token\n", u)
	fmt.Fprintf(w, "  API base URL    %s\n", cfg.APIBaseURL())
	if cfg.StrictIssuerMismatch() || cfg.AccessTokenAudience() != cfg.APIBaseURL() {
		fmt.Fprintf(w, "  token claims    iss %s, aud %s\n", cfg.AccessTokenIssuer(), cfg.AccessTokenAudience())
	}
	if cfg.StrictIssuerMismatch() {
		fmt.Fprintf(w, "  note            the tokens' iss differs from the metadata's issuer: strict RFC 9068 validators\n"+
			"                  (oauth4webapi's, for one) refuse them; use --token-claims emulator for those clients\n")
	}
	if cfg.AutoApprove != "" {
		fmt.Fprintf(w, "  auto-approve    every authorisation is approved as %s, without login or consent\n", cfg.AutoApprove)
	}
	if cfg.Seed == "demo" {
		fmt.Fprintf(w, "  demo users      %s, %s, %s (password %q)\n", seed.AdminEmail, seed.BookkeeperEmail, seed.EmployeeEmail, seed.DemoPassword)
		fmt.Fprintf(w, "  demo client     %s / %s (public: %s)\n", seed.DemoClientID, seed.DemoClientSecret, seed.PublicClientID)
	}
}

// controlWarning is the start-up warning about a control API that other
// machines can reach with no token, or "".
func controlWarning(cfg config.Config, listen net.Addr) string {
	if !cfg.Control {
		return ""
	}
	return control.ExposureWarning(listen, cfg.ControlToken, cfg.ControlOpen)
}

// tuneGC trades memory for CPU: the emulator's heap is small, so collecting
// at 4x the live heap (instead of Go's 2x) saves much of the collector's work
// under load, while a 64 MiB soft limit makes it collect harder before the
// process grows large. GOGC and GOMEMLIMIT, when set, take precedence.
func tuneGC(getenv Env) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
}
