package seed_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

var anchor = time.Date(2026, 6, 1, 15, 4, 5, 0, time.UTC)

func seeded(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "seed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return seed.Demo(ctx, tx, seed.Options{PublicURL: "http://localhost:8080", Anchor: anchor})
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestDemoSeedIsDeterministic(t *testing.T) {
	ctx := context.Background()
	a, err := seeded(t).TableHashes(ctx, "schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	b, err := seeded(t).TableHashes(ctx, "schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	for table, h := range a {
		if b[table] != h {
			t.Errorf("table %s differs between two fresh seeds", table)
		}
	}
}

func TestDemoSeedVolumesAndPeople(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	counts := map[string]int{"employees": 50, "accounting_entries": 400, "tag_groups": 4, "tags": 10, "tax_codes": 4, "vendors": 10, "accounts": 20, "clients": 2, "users": 3}
	for table, atLeast := range counts {
		n, err := st.Count(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		if n < atLeast {
			t.Errorf("%s: %d rows, want at least %d", table, n, atLeast)
		}
	}
	admin, err := st.UserByEmail(ctx, "ADMIN@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	if admin.ID != seed.AdminUserID || !oauth.CheckPassword(admin.ID, "demo", admin.PasswordHash) {
		t.Error("admin@acme.test does not log in with password demo")
	}
	ms, err := st.Memberships(ctx, seed.AdminUserID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].Subject.Kind != oauth.SubjectOrganization {
		t.Errorf("admin memberships = %+v, want the organisation and two companies", ms)
	}
	ms, _ = st.Memberships(ctx, seed.EmployeeUserID)
	if len(ms) != 1 || oauth.CanConnectApps(ms[0].Role) {
		t.Errorf("employee memberships = %+v, want one role that cannot connect apps", ms)
	}
	c, err := st.Client(ctx, seed.DemoClientID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.CheckSecret(seed.DemoClientSecret) || !c.PKCERequired || len(c.RedirectURIs) != 3 {
		t.Errorf("demo client = %+v", c)
	}
}

func TestIDIsStable(t *testing.T) {
	if got := seed.ID("company/acme-denmark"); got != seed.DenmarkID || !oauth.IsUUID(got) {
		t.Fatalf("ID = %s", got)
	}
	if seed.DenmarkID == seed.SwedenID {
		t.Fatal("IDs collide")
	}
}
