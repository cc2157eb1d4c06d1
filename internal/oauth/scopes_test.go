package oauth_test

import (
	"slices"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

func TestParseScope(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"users:read", []string{"users:read"}},
		{"users:read export-jobs:read", []string{"users:read", "export-jobs:read"}},
		{"  users:read   export-jobs:read  ", []string{"users:read", "export-jobs:read"}},
		{"users:read users:read", []string{"users:read"}},
		{"b a b a", []string{"b", "a"}},
		{"Users:Read users:read", []string{"Users:Read", "users:read"}}, // scope tokens are case-sensitive
	} {
		if got := oauth.ParseScope(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ParseScope(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := oauth.JoinScope(oauth.ParseScope(" a  b ")); got != "a b" {
		t.Errorf("JoinScope(ParseScope) = %q", got)
	}
}

func TestUnknownScopesAndSubset(t *testing.T) {
	if bad := oauth.UnknownScopes([]string{"users:read", "users:write", "openid", "USERS:READ"}); !slices.Equal(bad, []string{"users:write", "openid", "USERS:READ"}) {
		t.Errorf("UnknownScopes = %q", bad)
	}
	if bad := oauth.UnknownScopes(oauth.ScopeNames()); bad != nil {
		t.Errorf("catalogue scopes reported unknown: %q", bad)
	}
	for _, tc := range []struct {
		want, have []string
		ok         bool
	}{
		{nil, nil, true},
		{nil, []string{"a"}, true},
		{[]string{"a"}, []string{"a", "b"}, true},
		{[]string{"b", "a"}, []string{"a", "b"}, true},
		{[]string{"a", "c"}, []string{"a", "b"}, false},
		{[]string{"a"}, nil, false},
	} {
		if got := oauth.Subset(tc.want, tc.have); got != tc.ok {
			t.Errorf("Subset(%q, %q) = %v", tc.want, tc.have, got)
		}
	}
}

func TestScopeCatalogue(t *testing.T) {
	names := oauth.ScopeNames()
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("duplicate scope %q", n)
		}
		seen[n] = true
		s, ok := oauth.LookupScope(n)
		if !ok || s.Description == "" || s.Source == "" {
			t.Errorf("scope %q: %+v", n, s)
		}
	}
	if _, ok := oauth.LookupScope("users:write"); ok {
		t.Error("LookupScope finds a scope that is not in the catalogue")
	}
	// The catalogue is returned by copy.
	s := oauth.Scopes()
	s[0].Name = "mutated"
	if oauth.Scopes()[0].Name == "mutated" {
		t.Error("Scopes returns the catalogue itself")
	}
}
