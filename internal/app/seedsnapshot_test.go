package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// largeEntries stands in for the large seed's 100,000 entries, so the test stays fast.
const largeEntries = 1500

func largeSeed(c *config.Config) {
	c.SeedSize, c.LargeSeedEntries = config.SeedLarge, largeEntries
	c.Additions.Clients = append(c.Additions.Clients, config.ClientSpec{ID: "from-file", Name: "From File", Secret: "s",
		RedirectURIs: []string{"http://localhost:1/cb"}, Scopes: []string{"users:read"}})
}

// mess changes what a reset must undo: entries, clients, tokens and the clock.
func mess(t *testing.T, e *apptest.Emulator) {
	t.Helper()
	if st := e.Control(t, "POST", "/companies/"+seed.DenmarkID+"/generate", `{"count": 50, "seed": 77}`, nil); st != http.StatusCreated {
		t.Fatalf("generate: %d", st)
	}
	e.Control(t, "POST", "/clients", `{"client_id": "temp", "name": "Temp", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read"]}`, nil)
	e.Control(t, "DELETE", "/companies/"+seed.SwedenID, "", nil)
	e.TokenPair(t, "users:read")
}

func reset(t *testing.T, e *apptest.Emulator) {
	t.Helper()
	if st := e.Control(t, "POST", "/reset", "", nil); st != http.StatusOK {
		t.Fatalf("reset: %d", st)
	}
}

func hashes(t *testing.T, e *apptest.Emulator, skip ...string) map[string]string {
	t.Helper()
	h, err := e.Store.TableHashes(context.Background(), append(skip, "signing_keys", "schema_migrations")...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func sameTables(t *testing.T, when string, want, got map[string]string) {
	t.Helper()
	for table, h := range want {
		if got[table] != h {
			t.Errorf("%s: table %s differs from the large seed", when, table)
		}
	}
}

func TestResetRestoresTheLargeSeedRowForRow(t *testing.T) {
	e := apptest.Start(t, "", largeSeed)
	n, err := e.Store.Count(context.Background(), "accounting_entries")
	if err != nil || n != 2*220+largeEntries {
		t.Fatalf("%d entries after a large seed (%v), want %d", n, err, 2*220+largeEntries)
	}
	seeded := hashes(t, e)
	var keys struct{ Keys []map[string]any }
	for round := range 2 {
		mess(t, e)
		e.Control(t, "POST", "/keys/rotate", "", nil)
		e.Control(t, "GET", "/keys", "", &keys)
		reset(t, e)
		sameTables(t, "after a reset", seeded, hashes(t, e))
		var after struct{ Keys []map[string]any }
		e.Control(t, "GET", "/keys", "", &after)
		if len(after.Keys) != len(keys.Keys) || len(after.Keys) != 2+round {
			t.Errorf("reset %d: %d signing keys, want the %d there were", round+1, len(after.Keys), len(keys.Keys))
		}
		if e.Control(t, "GET", "/clients/from-file", "", nil) != http.StatusOK || e.Control(t, "GET", "/clients/temp", "", nil) != http.StatusNotFound {
			t.Error("reset did not restore the config file's clients only")
		}
	}
	// Entries written after a reset are read by the API as usual.
	if st := e.Control(t, "POST", "/companies/"+seed.DenmarkID+"/generate", `{"count": 10, "seed": 77}`, nil); st != http.StatusCreated {
		t.Fatalf("generate after reset: %d", st)
	}
}

// A database that already holds data is not seeded at start, so the first
// reset writes the large seed and the next ones restore it: both give the
// same rows as a fresh start. (The restart listens on another port, so the
// demo clients' playground callback differs: clients are left out.)
func TestResetOfAnExistingDatabaseWritesThenRestoresTheLargeSeed(t *testing.T) {
	first := apptest.Start(t, "", largeSeed)
	seeded := hashes(t, first, "clients")
	mess(t, first)
	first.Stop()

	e := apptest.Start(t, first.DBPath, largeSeed)
	reset(t, e)
	sameTables(t, "first reset", seeded, hashes(t, e, "clients"))
	mess(t, e)
	reset(t, e)
	sameTables(t, "second reset", seeded, hashes(t, e, "clients"))
}

func TestSmallSeedIsTheDefault(t *testing.T) {
	e := apptest.Start(t, "")
	if n, err := e.Store.Count(context.Background(), "accounting_entries"); err != nil || n != 2*220 {
		t.Fatalf("%d entries (%v), want 440", n, err)
	}
}
