package oauth_test

import (
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

func TestParseSubject(t *testing.T) {
	const id = "0b7a5c1e-3f2d-4e8a-9c6b-1d2e3f4a5b6c"
	upper := strings.ToUpper(id)
	for _, tc := range []struct {
		name string
		in   string
		kind oauth.SubjectKind // default kind
		want oauth.Subject
		ok   bool
	}{
		{"company URN", "urn:pleo:company:" + id, "", oauth.Subject{Kind: oauth.SubjectCompany, ID: id}, true},
		{"organisation URN", "urn:pleo:organization:" + id, "", oauth.Subject{Kind: oauth.SubjectOrganization, ID: id}, true},
		{"upper-case UUID is normalised", "urn:pleo:company:" + upper, "", oauth.Subject{Kind: oauth.SubjectCompany, ID: id}, true},
		{"bare UUID with default kind", id, oauth.SubjectCompany, oauth.Subject{Kind: oauth.SubjectCompany, ID: id}, true},
		{"bare UUID without default kind", id, "", oauth.Subject{}, false},
		{"URN ignores default kind", "urn:pleo:organization:" + id, oauth.SubjectCompany, oauth.Subject{Kind: oauth.SubjectOrganization, ID: id}, true},
		{"empty", "", "", oauth.Subject{}, false},
		{"empty with default kind", "", oauth.SubjectCompany, oauth.Subject{}, false},
		{"unknown kind", "urn:pleo:user:" + id, "", oauth.Subject{}, false},
		{"British spelling", "urn:pleo:organisation:" + id, "", oauth.Subject{}, false},
		{"kind case", "urn:pleo:Company:" + id, "", oauth.Subject{}, false},
		{"prefix case", "URN:PLEO:company:" + id, "", oauth.Subject{}, false},
		{"no kind", "urn:pleo:" + id, "", oauth.Subject{}, false},
		{"not a UUID", "urn:pleo:company:not-a-uuid", "", oauth.Subject{}, false},
		{"UUID without dashes", "urn:pleo:company:" + strings.ReplaceAll(id, "-", ""), "", oauth.Subject{}, false},
		{"UUID with braces", "urn:pleo:company:{" + id + "}", "", oauth.Subject{}, false},
		{"trailing junk", "urn:pleo:company:" + id + "x", "", oauth.Subject{}, false},
		{"extra segment", "urn:pleo:company:" + id + ":x", "", oauth.Subject{}, false},
		{"leading space", " urn:pleo:company:" + id, "", oauth.Subject{}, false},
		{"non-hex", "urn:pleo:company:" + strings.Replace(id, "0", "g", 1), "", oauth.Subject{}, false},
		{"missing urn prefix", "pleo:company:" + id, oauth.SubjectCompany, oauth.Subject{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := oauth.ParseSubject(tc.in, tc.kind)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ParseSubject(%q, %q) = %+v, %v; want %+v, ok=%v", tc.in, tc.kind, got, err, tc.want, tc.ok)
			}
			if tc.ok && tc.in != "" && strings.HasPrefix(tc.in, "urn:") && got.URN() != strings.ToLower(tc.in) {
				t.Errorf("URN() = %q, want %q", got.URN(), strings.ToLower(tc.in))
			}
		})
	}
}
