// Package events is the catalogue of the webhook events the emulator emits:
// their names (Pleo's current names and the deprecated ones it still
// accepts) and the scope a subscriber needs. It has no dependencies, so the
// store, the API and the dispatcher share this one copy.
package events

import "github.com/pleo-emulator/pleo-emulator/internal/oauth"

// The events Pleo documents.
const (
	// ExportJobCreated fires when a user clicks Export in Pleo: a pending
	// export job exists. Its data is the job as the Export API shows it.
	ExportJobCreated = "v1.export-job.created"
	// ExportJobCreatedDeprecated is the older name of ExportJobCreated that
	// older Pleo pages use. A subscription may use it; its deliveries then
	// carry this name.
	ExportJobCreatedDeprecated = "v1.export.job-created"
	// VendorCreated fires when a vendor is created in Pleo (not yet known to
	// the ERP). Its data is the vendor as the Vendors API shows it.
	VendorCreated = "v1.vendor.created"
)

// Type is one accepted event name.
type Type struct {
	Name      string // as a subscription lists it and a delivery carries it
	Canonical string // the event it names (equal to Name unless deprecated)
	// Scope is the scope a subscriber's token needs. Pleo documents that
	// export events need the Export API's scopes; vendors:read for vendor
	// events is the same rule applied by the emulator (an inference).
	Scope string
}

// Deprecated reports whether t is an older name of another event.
func (t Type) Deprecated() bool { return t.Name != t.Canonical }

// Catalogue lists every accepted event name, current names first.
var Catalogue = []Type{
	{Name: ExportJobCreated, Canonical: ExportJobCreated, Scope: oauth.ExportJobsRead},
	{Name: VendorCreated, Canonical: VendorCreated, Scope: oauth.VendorsRead},
	{Name: ExportJobCreatedDeprecated, Canonical: ExportJobCreated, Scope: oauth.ExportJobsRead},
}

// Lookup returns the type named name.
func Lookup(name string) (Type, bool) {
	for _, t := range Catalogue {
		if t.Name == name {
			return t, true
		}
	}
	return Type{}, false
}

// NamesOf returns every name of the canonical event, current name first.
func NamesOf(canonical string) []string {
	var out []string
	for _, t := range Catalogue {
		if t.Canonical == canonical {
			out = append(out, t.Name)
		}
	}
	return out
}

// Names returns every accepted name, in catalogue order.
func Names() []string {
	out := make([]string, len(Catalogue))
	for i, t := range Catalogue {
		out[i] = t.Name
	}
	return out
}
