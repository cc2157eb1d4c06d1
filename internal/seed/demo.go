package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Options parameterise the demo data.
type Options struct {
	// PublicURL is the emulator's public base URL; the demo clients get
	// <PublicURL>/playground/callback as a redirect URI.
	PublicURL string
	// Anchor is the day the data is relative to: entries fall in the 90 days
	// before it. Two seeds with the same anchor are identical.
	Anchor time.Time
	// LargeEntries, when positive, adds that many generated entries to
	// Acme Denmark (--seed-size large adds LargeSeedEntries), after the
	// rest of the demo data, which stays the same.
	LargeEntries int
}

// The large demo seed: Acme Denmark gets LargeSeedEntries more accounting
// entries, generated with seed LargeSeedSeed over the year before the anchor.
const (
	LargeSeedEntries = 100_000
	LargeSeedSeed    = 2026
)

// AnchorDay truncates t to midnight UTC, the granularity of Options.Anchor.
func AnchorDay(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// Demo writes the demo data set into tx. The database must be empty.
func Demo(ctx context.Context, tx *store.Tx, opt Options) error {
	anchor := AnchorDay(opt.Anchor)
	d := &demo{ctx: ctx, tx: tx, anchor: anchor, created: anchor.AddDate(-1, 0, 0),
		rng: rand.New(rand.NewPCG(2026, 11))}
	steps := []func() error{
		d.directory,
		func() error { return d.clients(opt.PublicURL) },
		func() error { return d.company(denmark) },
		func() error { return d.company(sweden) },
		func() error { return d.vendorImport(denmark) },
		d.dimensions,
	}
	if opt.LargeEntries > 0 {
		steps = append(steps, func() error {
			return Generate(ctx, tx, DenmarkID, GenerateOptions{Count: opt.LargeEntries, Seed: LargeSeedSeed, Until: anchor})
		})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
	}
	return nil
}

type demo struct {
	ctx     context.Context
	tx      *store.Tx
	anchor  time.Time // midnight UTC of the seed day
	created time.Time // creation time of long-lived records
	rng     *rand.Rand
}

// companySpec describes one demo company.
type companySpec struct {
	key, name, currency, country, registration string
	address                                    pleo.Address
	emailDomain                                string
	firstNames, lastNames                      []string
	vatName                                    string
	vatRates                                   []float64
	merchants                                  []string
}

var denmark = companySpec{
	key: "acme-denmark", name: "Acme Denmark ApS", currency: "DKK", country: "DK", registration: "DK38512643",
	address:     pleo.Address{AddressLine1: "Vesterbrogade 12, 3. sal", Locality: "København V", PostalCode: "1620", Region: "Hovedstaden", Country: "DK"},
	emailDomain: "acme.test",
	firstNames:  []string{"Mette", "Lars", "Sofie", "Mikkel", "Freja", "Rasmus", "Ida", "Jonas", "Emma", "Frederik", "Clara", "Magnus", "Louise", "Oliver", "Anne", "Christian"},
	lastNames:   []string{"Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Madsen", "Kristensen"},
	vatName:     "Moms", vatRates: []float64{0.25, 0},
	merchants: []string{"DSB", "SAS Scandinavian Airlines", "Netto", "Joe & The Juice", "Apple", "Google Workspace", "Amazon Web Services", "Slack", "Zoom", "Føtex", "Uber", "7-Eleven", "IKEA", "Circle K", "Hotel d'Angleterre", "Elgiganten"},
}

var sweden = companySpec{
	key: "acme-sweden", name: "Acme Sweden AB", currency: "SEK", country: "SE", registration: "559123-4567",
	address:     pleo.Address{AddressLine1: "Drottninggatan 45", Locality: "Stockholm", PostalCode: "111 21", Region: "Stockholms län", Country: "SE"},
	emailDomain: "acme-sweden.test",
	firstNames:  []string{"Elsa", "Erik", "Maja", "Lucas", "Alva", "Hugo", "Astrid", "Nils", "Wilma", "Axel", "Ebba", "Oscar", "Saga", "Viktor", "Linnea", "Gustav"},
	lastNames:   []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Lindberg"},
	vatName:     "Moms", vatRates: []float64{0.25, 0.12, 0.06, 0},
	merchants: []string{"SJ", "SAS Scandinavian Airlines", "ICA", "Espresso House", "Apple", "Google Workspace", "Amazon Web Services", "Slack", "Zoom", "Pressbyrån", "Uber", "Systembolaget", "IKEA", "Circle K", "Clas Ohlson", "Elgiganten"},
}

// passwordHashes caches the slow password hashes: the seed is written at
// every fresh start and every reset, and the inputs never change.
var passwordHashes sync.Map

func demoPasswordHash(userID string) []byte {
	if h, ok := passwordHashes.Load(userID); ok {
		return h.([]byte)
	}
	h := oauth.HashPublishedPassword(userID, DemoPassword) // the demo password is public
	passwordHashes.Store(userID, h)
	return h
}

// WarmPasswordHashes computes the demo password hashes in the background, so
// the first seed does not wait for them; one at a time, so the warm-up
// holds one hash's memory (see oauth.HashPassword), not three.
func WarmPasswordHashes() {
	go func() {
		for _, id := range []string{AdminUserID, BookkeeperID, EmployeeUserID} {
			demoPasswordHash(id)
		}
	}()
}

func (d *demo) directory() error {
	ctx, tx := d.ctx, d.tx
	if err := tx.InsertOrganization(ctx, pleo.Organization{ID: OrganizationID, Name: "Acme Group", CreatedAt: d.created, UpdatedAt: d.created}); err != nil {
		return err
	}
	for _, spec := range []companySpec{denmark, sweden} {
		c := pleo.Company{ID: ID("company/" + spec.key), OrganizationID: OrganizationID, Name: spec.name,
			RegistrationNumber: spec.registration, Address: spec.address, Currency: spec.currency,
			CreatedAt: d.created, UpdatedAt: d.created}
		if err := tx.InsertCompany(ctx, c); err != nil {
			return err
		}
	}
	users := []struct {
		id, email, name string
	}{
		{AdminUserID, AdminEmail, "Anna Admin"},
		{BookkeeperID, BookkeeperEmail, "Bo Bookkeeper"},
		{EmployeeUserID, EmployeeEmail, "Eva Employee"},
	}
	for _, u := range users {
		if err := tx.InsertUser(ctx, pleo.User{ID: u.id, Email: u.email, Name: u.name,
			PasswordHash: demoPasswordHash(u.id), CreatedAt: d.created}); err != nil {
			return err
		}
	}
	roles := []struct {
		user, company string
		role          oauth.Role
	}{
		{AdminUserID, DenmarkID, oauth.RoleAdmin},
		{AdminUserID, SwedenID, oauth.RoleAdmin},
		{BookkeeperID, DenmarkID, oauth.RoleBookkeeper},
		{EmployeeUserID, DenmarkID, oauth.RoleEmployee},
	}
	for _, r := range roles {
		if err := tx.SetCompanyRole(ctx, r.user, r.company, r.role); err != nil {
			return err
		}
	}
	return tx.SetOrganizationRole(ctx, AdminUserID, OrganizationID, oauth.RoleAdmin)
}

func (d *demo) clients(publicURL string) error {
	uris := []string{"http://localhost:3000/callback", "http://127.0.0.1:3000/callback",
		strings.TrimSuffix(publicURL, "/") + PlaygroundCallbackPath}
	common := oauth.Client{RedirectURIs: uris, Scopes: oauth.ScopeNames(), PKCERequired: true,
		ClientURI: "https://example.com/demo-accounting", TermsURL: "https://example.com/demo-accounting/terms",
		PrivacyURL: "https://example.com/demo-accounting/privacy", CreatedAt: d.created, UpdatedAt: d.created}
	confidential := common
	confidential.ID, confidential.Name, confidential.Type = DemoClientID, "Demo Accounting App", oauth.Confidential
	confidential.SecretHash = oauth.HashClientSecret(DemoClientID, DemoClientSecret)
	public := common
	public.ID, public.Name, public.Type = PublicClientID, "Demo Mobile App", oauth.Public
	for _, c := range []oauth.Client{confidential, public} {
		if err := c.Validate(); err != nil {
			return err
		}
		if err := d.tx.InsertClient(d.ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// PlaygroundCallbackPath is the playground's redirect URI path; the demo
// clients register it under the public URL.
const PlaygroundCallbackPath = "/playground/callback"

// FollowPublicURL returns c with its playground callback moved to
// publicURL, and whether anything changed. Only the demo clients carry the
// built-in callback; any other client is returned as it is. A database seeded
// under another public URL (a Docker volume reused with a new
// PLEO_EMULATOR_PUBLIC_URL) thereby keeps a working playground.
func FollowPublicURL(c oauth.Client, publicURL string) (oauth.Client, bool) {
	if c.ID != DemoClientID && c.ID != PublicClientID {
		return c, false
	}
	want := strings.TrimSuffix(publicURL, "/") + PlaygroundCallbackPath
	changed := false
	uris := make([]string, 0, len(c.RedirectURIs))
	for _, u := range c.RedirectURIs {
		if strings.HasSuffix(u, PlaygroundCallbackPath) && u != want {
			u, changed = want, true
		}
		if !slices.Contains(uris, u) {
			uris = append(uris, u)
		}
	}
	c.RedirectURIs = uris
	return c, changed
}
