package api

import (
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// TestEveryRouteSaysWhoMayCallIt checks each row of the route table: a
// scope from the catalogue, or anyToken, never both and never neither, so
// a row that forgets its scope cannot be served without a scope check.
func TestEveryRouteSaysWhoMayCallIt(t *testing.T) {
	for _, rt := range (&API{}).table() {
		switch {
		case rt.scope == "" && !rt.anyToken:
			t.Errorf("%s %s has no scope: give it one from internal/oauth or mark it anyToken", rt.method, rt.pattern)
		case rt.scope != "" && rt.anyToken:
			t.Errorf("%s %s has a scope and anyToken", rt.method, rt.pattern)
		case rt.scope != "":
			if _, ok := oauth.LookupScope(rt.scope); !ok {
				t.Errorf("%s %s: scope %q is not in the catalogue", rt.method, rt.pattern, rt.scope)
			}
		}
	}
}
