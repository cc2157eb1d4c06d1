package api_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func TestInstallationLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.do("GET", installation, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("PUT", installation, "dk", `{"status":"ACTIVATED"}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("POST", installation+":activate", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("DELETE", installation, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("POST", installation, "dk", "").fails(t, http.StatusBadRequest, "JSON_MAPPING_EXCEPTION")

	created := e.clock.Now()
	in := readInstallation(t, e.do("POST", installation, "dk", `{}`))
	if in.Status != "AUTHORIZED" || in.Resource != "urn:pleo:company:"+seed.DenmarkID || !oauth.IsUUID(in.ID) ||
		!oauth.IsUUID(in.ApplicationID) || in.Metadata == nil || !in.CreatedAt.Equal(created) || !in.UpdatedAt.Equal(created) {
		t.Fatalf("created installation %+v", in)
	}
	id, app := in.ID, in.ApplicationID
	// The application ID is derived from the client ID: the same for every subject.
	var other pleo.Installation
	e.do("POST", installation, "se", `{"status":"PENDING_INTEGRATION"}`).ok(t, http.StatusOK, &other)
	if other.ApplicationID != app || other.ID == id || other.Status != "PENDING_INTEGRATION" {
		t.Errorf("second installation %+v", other)
	}

	e.clock.advance(time.Hour)
	in = readInstallation(t, e.do("PUT", installation, "dk", `{"status":"ERROR","errorCode":"AUTH_ERROR","metadata":{"externalId":"42","settings":{"a":1}}}`))
	if in.ID != id || in.Status != "ERROR" || in.ErrorCode != "AUTH_ERROR" || in.Metadata["externalId"] != "42" ||
		!in.CreatedAt.Equal(created) || !in.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("updated installation %+v", in)
	}
	for _, c := range []struct{ body, typ string }{
		{`{}`, "VALIDATION_FAILED"},
		{`{"status":"DONE"}`, "VALIDATION_FAILED"},
		{`{"status":"ERROR","errorCode":"OOPS"}`, "VALIDATION_FAILED"},
		{`{"status":"ERROR","metadata":[]}`, "JSON_MAPPING_EXCEPTION"},
	} {
		e.do("PUT", installation, "dk", c.body).fails(t, http.StatusBadRequest, c.typ)
	}
	e.do("POST", installation, "dk", `{"status":"LIVE"}`).fails(t, http.StatusBadRequest, "VALIDATION_FAILED")

	e.clock.advance(time.Hour)
	in = readInstallation(t, e.do("POST", installation+":activate", "dk", ""))
	if in.Status != "ACTIVATED" || in.ErrorCode != "" || in.Metadata["externalId"] != "42" || !in.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("activated installation %+v", in)
	}
	in = readInstallation(t, e.do("GET", installation, "dk", ""))
	if in.Status != "ACTIVATED" || in.ID != id {
		t.Errorf("read back %+v", in)
	}
	// POST on an existing installation updates it.
	in = readInstallation(t, e.do("POST", installation, "dk", `{"metadata":{"k":"v"}}`))
	if in.ID != id || in.Status != "ACTIVATED" || in.Metadata["k"] != "v" || len(in.Metadata) != 1 {
		t.Errorf("POST on existing installation: %+v", in)
	}

	// An organisation token reads a company's installation with company_id.
	e.do("GET", installation, "org", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	in = readInstallation(t, e.do("GET", installation+"?company_id="+seed.DenmarkID, "org", ""))
	if in.ID != id {
		t.Errorf("organisation token read %+v", in)
	}
	e.do("GET", installation+"?company_id="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")

	// DELETE removes the installation and revokes every grant of the client for the subject.
	before, err := e.st.ActiveGrantCount(ctx, seed.DemoClientID, denmark)
	if err != nil || before != 2 { // "dk" and "dk-none"
		t.Fatalf("active Danish grants before delete: %d, %v", before, err)
	}
	e.do("DELETE", installation, "dk-none", "").ok(t, http.StatusNoContent, nil)
	if n, err := e.st.ActiveGrantCount(ctx, seed.DemoClientID, denmark); err != nil || n != 0 {
		t.Errorf("active Danish grants after delete: %d, %v", n, err)
	}
	g, err := e.st.Grant(ctx, e.verify.tokens["dk"].GrantID)
	if err != nil || g.RevokedReason != "installation deleted" || !g.RevokedAt.Equal(e.clock.Now()) {
		t.Errorf("revoked grant %+v, %v", g, err)
	}
	e.do("GET", "/v2/employees", "dk", "").fails(t, http.StatusUnauthorized, "UNAUTHORIZED")
	e.do("GET", installation, "dk-none", "").fails(t, http.StatusUnauthorized, "UNAUTHORIZED")
	// Other subjects keep their grants and installations.
	e.do("GET", installation, "se", "").ok(t, http.StatusOK, nil)
	e.do("GET", "/v2/employees", "org", "").ok(t, http.StatusOK, nil)
	if n, _ := e.st.ActiveGrantCount(ctx, seed.DemoClientID, sweden); n != 1 {
		t.Errorf("active Swedish grants: %d", n)
	}

	e.addToken("dk-again", denmark, nil)
	e.do("GET", installation, "dk-again", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("DELETE", installation, "dk-again", "").fails(t, http.StatusNotFound, "NOT_FOUND")

	// The consent flow's AuthorizeInstallation still creates one.
	if err := e.st.Write(ctx, func(tx *store.Tx) error {
		return tx.AuthorizeInstallation(ctx, seed.DemoClientID, denmark, e.clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	in = readInstallation(t, e.do("GET", installation, "dk-again", ""))
	if in.Status != "AUTHORIZED" || len(in.Metadata) != 0 {
		t.Errorf("installation after consent %+v", in)
	}
}

// readInstallation asserts a 200 and decodes a bare InstallationResponse.
func readInstallation(t *testing.T, r response) pleo.Installation {
	t.Helper()
	var in pleo.Installation
	r.ok(t, http.StatusOK, &in)
	return in
}

func init() {
	samples["PUT /v1/installations/completions"] = sample{"/v1/installations/completions", ""}
}

// TestInstallationCompletions covers the deprecated PUT
// /v1/installations/completions: :activate's effect, idempotently.
func TestInstallationCompletions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const completions = "/v1/installations/completions"
	e.do("PUT", completions, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")

	e.do("PUT", installation, "dk", `{"status":"ERROR","errorCode":"AUTH_ERROR"}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("POST", installation, "dk", `{"metadata":{"externalId":"42"}}`).ok(t, http.StatusOK, nil)
	e.do("PUT", installation, "dk", `{"status":"ERROR","errorCode":"AUTH_ERROR","metadata":{"externalId":"42"}}`).ok(t, http.StatusOK, nil)
	e.clock.advance(time.Hour)
	done := readInstallation(t, e.do("PUT", completions, "dk", ""))
	if done.Status != "ACTIVATED" || done.ErrorCode != "" || done.Metadata["externalId"] != "42" || !done.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("completed installation %+v", done)
	}
	// Idempotent: a second call answers the same installation, unchanged.
	e.clock.advance(time.Hour)
	if again := readInstallation(t, e.do("PUT", completions, "dk", "")); !reflect.DeepEqual(again, done) {
		t.Errorf("second completion %+v, want %+v", again, done)
	}
	if got := readInstallation(t, e.do("GET", installation, "dk", "")); !reflect.DeepEqual(got, done) {
		t.Errorf("read back %+v, want %+v", got, done)
	}
	// Only the calling subject's installation changes.
	e.do("POST", installation, "se", `{"status":"PENDING_INTEGRATION"}`).ok(t, http.StatusOK, nil)
	if got := readInstallation(t, e.do("GET", installation, "se", "")); got.Status != "PENDING_INTEGRATION" {
		t.Errorf("Swedish installation %+v", got)
	}
	if got := readInstallation(t, e.do("PUT", completions, "se", "")); got.Status != "ACTIVATED" || got.ID == done.ID {
		t.Errorf("Swedish completion %+v", got)
	}
}
