package oauth

import (
	"fmt"
	"strings"
)

// SubjectKind is what a token is bound to: a company or an organisation.
type SubjectKind string

const (
	SubjectCompany      SubjectKind = "company"
	SubjectOrganization SubjectKind = "organization"
)

// Subject identifies the company or organisation a grant is bound to.
type Subject struct {
	Kind SubjectKind
	ID   string // UUID
}

// URN renders the subject as Pleo writes it: urn:pleo:company:<uuid> or
// urn:pleo:organization:<uuid> (the organisation form is an emulator guess).
func (s Subject) URN() string { return "urn:pleo:" + string(s.Kind) + ":" + s.ID }

// ParseSubject accepts a subject URN, or a bare UUID when defaultKind is set.
func ParseSubject(s string, defaultKind SubjectKind) (Subject, error) {
	if rest, ok := strings.CutPrefix(s, "urn:pleo:"); ok {
		kind, id, found := strings.Cut(rest, ":")
		if !found {
			return Subject{}, fmt.Errorf("subject %q is not a Pleo URN", s)
		}
		switch SubjectKind(kind) {
		case SubjectCompany, SubjectOrganization:
		default:
			return Subject{}, fmt.Errorf("subject %q: kind must be company or organization", s)
		}
		if !IsUUID(id) {
			return Subject{}, fmt.Errorf("subject %q does not end in a UUID", s)
		}
		return Subject{Kind: SubjectKind(kind), ID: strings.ToLower(id)}, nil
	}
	if defaultKind != "" && IsUUID(s) {
		return Subject{Kind: defaultKind, ID: strings.ToLower(s)}, nil
	}
	return Subject{}, fmt.Errorf("subject %q is neither a URN nor a UUID", s)
}

// IsUUID reports whether s is a UUID in the canonical 8-4-4-4-12 hex form.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
