// Package app is the composition root: it opens the store, seeds it, builds
// every component and wires the routes (routes.go holds every URL).
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	"github.com/pleo-emulator/pleo-emulator/internal/requestlog"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks"
)

// The authorisation server is the API's token verifier.
var _ api.Verifier = (*authserver.Server)(nil)

// App is a running emulator's state, independent of any listener.
type App struct {
	Config config.Config
	Store  *store.Store
	Clock  *clock.Clock
	Log    *slog.Logger
	Auth   *authserver.Server
	API    *api.API
	// Faults are the failures queued through the control API.
	Faults *faults.Queue
	// Requests is the recent-request log the control API shows.
	Requests *requestlog.Log
	// Webhooks delivers webhook events from the store's outbox.
	Webhooks *webhooks.Dispatcher
	// Spend creates and changes accounting entries as Pleo's customers do.
	Spend *spend.Service

	handler      http.Handler
	inFlight     requestsInFlight // webhook deliveries yield to these
	seedSnapshot seedSnapshot     // the large seed's state, for fast resets
}

// New opens the database, applies migrations, writes the seed into an empty
// database and the config file's additions, and builds the HTTP handler.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	seed.WarmPasswordHashes()
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Store: st, Clock: clock.New(), Log: log}
	a.Spend = spend.New(st, a.Clock)
	if err := a.populate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := a.followPublicURL(ctx); err != nil {
		st.Close()
		return nil, err
	}
	pages, err := view.New()
	if err != nil {
		st.Close()
		return nil, err
	}
	a.Faults = faults.NewQueue()
	as, err := authserver.New(ctx, authserver.Options{
		PublicURL: cfg.PublicURL, APIBaseURL: cfg.APIBaseURL(), CodeTTL: cfg.CodeTTL,
		TokenIssuer: cfg.AccessTokenIssuer(), TokenAudience: cfg.AccessTokenAudience(),
		AccessTokenTTL: cfg.AccessTokenTTL, RefreshTokenTTL: cfg.RefreshTokenTTL, SessionTTL: cfg.SessionTTL,
		SecureCookies: cfg.Secure(), AutoApprove: cfg.AutoApprove,
	}, st, a.Clock, pages, a.Faults, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.Auth = as
	a.API = api.New(api.Options{PublicURL: cfg.APIBaseURL()}, st, a.Clock, as, a.Faults, log)
	a.Requests = requestlog.New(1000, a.Clock.Now)
	if err := st.SetAPIExportJobsEmit(ctx, cfg.APIExportJobsEmit); err != nil {
		st.Close()
		return nil, err
	}
	a.Webhooks = webhooks.New(st, a.Clock, log, webhooks.Options{Busy: a.inFlight.busy})
	if err := a.Webhooks.Start(ctx); err != nil {
		st.Close()
		return nil, err
	}
	a.handler = a.inFlight.count(a.routes(as, pages))
	return a, nil
}

// Handler is the emulator's whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

// Close stops webhook deliveries and releases the database.
func (a *App) Close() error {
	defer a.seedSnapshot.remove()
	a.Webhooks.Stop()
	return a.Store.Close()
}

// followPublicURL moves the demo clients' playground callback to the current
// public URL (seed.FollowPublicURL), for a database seeded under another one.
func (a *App) followPublicURL(ctx context.Context) error {
	for _, id := range []string{seed.DemoClientID, seed.PublicClientID} {
		c, err := a.Store.Client(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		moved, changed := seed.FollowPublicURL(c, a.Config.PublicURL)
		if !changed {
			continue
		}
		moved.UpdatedAt = a.Clock.Now()
		if err := a.Store.Write(ctx, func(tx *store.Tx) error { return tx.UpdateClient(ctx, moved) }); err != nil {
			return err
		}
		a.Log.Info("playground callback follows the public URL", "client_id", id, "redirect_uris", moved.RedirectURIs)
	}
	return nil
}

// seedAnchorKey is the emulator_settings key holding the seed's anchor day.
const seedAnchorKey = "seed_anchor"

// populate seeds an empty database and applies the config file's additions,
// all in one transaction, so a failure leaves nothing half-written.
func (a *App) populate(ctx context.Context) error {
	seeded := false
	err := a.Store.Write(ctx, func(tx *store.Tx) error {
		empty, err := tx.IsEmpty(ctx)
		if err != nil {
			return err
		}
		seeded = empty
		return a.fill(ctx, tx, empty)
	})
	if err != nil || !seeded || !a.seedSnapshot.wanted(a.Config) {
		return err
	}
	return a.seedSnapshot.save(ctx, a.Store)
}

// Reset restores the state of a fresh start: every table is emptied and the
// seed and the config file's additions are written again, with the same
// anchor day, so the result is identical row for row. Signing keys stay.
// The large seed is restored from a copy of its rows (see seedSnapshot).
func (a *App) Reset(ctx context.Context) error {
	rewrite := func(ctx context.Context) error {
		return a.Store.Write(ctx, func(tx *store.Tx) error {
			if err := tx.DeleteAllData(ctx); err != nil {
				return err
			}
			return a.fill(ctx, tx, true)
		})
	}
	if a.seedSnapshot.wanted(a.Config) {
		return a.seedSnapshot.reset(ctx, a.Store, rewrite)
	}
	return rewrite(ctx)
}

// fill writes the seed (when withSeed and --seed demo) and the additions.
// Everything is dated from the anchor day, recorded at the first start.
func (a *App) fill(ctx context.Context, tx *store.Tx, withSeed bool) error {
	stored, err := tx.Setting(ctx, seedAnchorKey)
	if err != nil {
		return err
	}
	anchor, err := time.Parse(time.DateOnly, stored)
	if err != nil {
		anchor = seed.AnchorDay(a.Clock.Now())
		if err := tx.SetSetting(ctx, seedAnchorKey, anchor.Format(time.DateOnly)); err != nil {
			return err
		}
	}
	if withSeed && a.Config.Seed == "demo" {
		if err := seed.Demo(ctx, tx, seed.Options{PublicURL: a.Config.PublicURL, Anchor: anchor,
			LargeEntries: a.largeSeedEntries()}); err != nil {
			return err
		}
	}
	if err := seed.Apply(ctx, tx, a.Config.Additions, anchor); err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	return nil
}

// ready reports whether the emulator can serve: the database answers and
// every migration is applied.
func (a *App) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.Store.Ready(ctx); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return errors.New("readiness check timed out")
	}
	return nil
}
