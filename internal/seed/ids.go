// Package seed writes the deterministic demo data: the same IDs and content
// on every machine and every fresh start, so tests and docs can name them.
package seed

import (
	"crypto/sha1"
	"fmt"
)

// ID derives a stable UUID (version 5 layout) from a name, e.g.
// ID("company/acme-denmark"). The same name always gives the same UUID.
func ID(name string) string {
	h := sha1.Sum([]byte("pleo-emulator/seed/" + name))
	h[6] = h[6]&0x0f | 0x50 // version 5
	h[8] = h[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// IDs of the demo data that tests, docs and the start page refer to.
var (
	OrganizationID = ID("organization/acme-group")
	DenmarkID      = ID("company/acme-denmark")
	SwedenID       = ID("company/acme-sweden")
	AdminUserID    = ID("user/admin")
	BookkeeperID   = ID("user/bookkeeper")
	EmployeeUserID = ID("user/employee")
)

// Demo credentials.
const (
	AdminEmail       = "admin@acme.test"
	BookkeeperEmail  = "bookkeeper@acme.test"
	EmployeeEmail    = "employee@acme.test"
	DemoPassword     = "demo"
	DemoClientID     = "demo-client"
	DemoClientSecret = "demo-secret"
	PublicClientID   = "demo-public-client"
)
