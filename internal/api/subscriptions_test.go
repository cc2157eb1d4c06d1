package api_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// Sample requests of the subscription routes. TestGolden runs them on a
// fresh database, so the {id} routes record the 404 of an unknown ID.
func init() {
	sub := "/v1/subscriptions/" + unknownUUID
	samples["GET /v1/subscriptions"] = sample{"/v1/subscriptions?status=ACTIVE&event_types=v1.export-job.created", ""}
	samples["POST /v1/subscriptions"] = sample{"/v1/subscriptions", `{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.export-job.created"],"customHeaders":{"X-Tenant":"acme"}}`}
	samples["GET /v1/subscriptions/{id}"] = sample{sub, ""}
	samples["PUT /v1/subscriptions/{id}"] = sample{sub, `{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.export-job.created"]}`}
	samples["DELETE /v1/subscriptions/{id}"] = sample{sub, ""}
	samples["GET /v1/subscriptions/{id}/activities"] = sample{sub + "/activities", ""}
	samples["GET /v1/subscriptions/{id}/secret"] = sample{sub + "/secret", ""}
}

type subscriptionBody struct {
	Data struct {
		ID            string            `json:"id"`
		EndpointURL   string            `json:"endpointUrl"`
		EventTypes    []string          `json:"eventTypes"`
		Status        string            `json:"status"`
		CustomHeaders map[string]string `json:"customHeaders"`
		EndpointAuth  struct {
			Type        string            `json:"type"`
			Credentials map[string]string `json:"credentials"`
		} `json:"endpointAuth"`
		DeletedAt *time.Time `json:"deletedAt"`
		DeletedBy string     `json:"deletedBy"`
	} `json:"data"`
}

func createSubscription(t *testing.T, e *env, token, body string) subscriptionBody {
	t.Helper()
	var s subscriptionBody
	e.do("POST", "/v1/subscriptions", token, body).ok(t, http.StatusOK, &s)
	return s
}

func TestSubscriptionLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := createSubscription(t, e, "dk", `{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.export-job.created","v1.vendor.created"],
		"customHeaders":{"X-Tenant":"acme"},"endpointAuth":{"type":"BASIC","credentials":{"username":"erp","password":"s3cret"}}}`)
	d := s.Data
	if d.Status != "ACTIVE" || d.EndpointAuth.Type != "BASIC" || d.EndpointAuth.Credentials["username"] != "erp" ||
		d.EndpointAuth.Credentials["password"] != "" || d.CustomHeaders["X-Tenant"] != "acme" || len(d.EventTypes) != 2 {
		t.Fatalf("created %+v", d)
	}
	path := "/v1/subscriptions/" + d.ID

	var secret struct {
		Data struct{ SecretKey string } `json:"data"`
	}
	e.do("GET", path+"/secret", "dk", "").ok(t, http.StatusOK, &secret)
	key, ok := strings.CutPrefix(secret.Data.SecretKey, "whsec_")
	if raw, err := base64.StdEncoding.DecodeString(key); !ok || err != nil || len(raw) < 24 {
		t.Fatalf("secret %q: want whsec_ and base64 of 24 or more bytes", secret.Data.SecretKey)
	}

	// Filters.
	if ids := e.list("GET", "/v1/subscriptions?event_types=v1.vendor.created", "dk", "").ids(t); len(ids) != 1 || ids[0] != d.ID {
		t.Errorf("event_types filter: %v", ids)
	}
	if ids := e.list("GET", "/v1/subscriptions?status=INACTIVE", "dk", "").ids(t); len(ids) != 0 {
		t.Errorf("status filter: %v", ids)
	}

	e.clock.advance(time.Second)
	var updated subscriptionBody
	e.do("PUT", path, "dk", `{"endpointUrl":"http://localhost:9000/hooks","eventTypes":["v1.export.job-created"],"status":"INACTIVE"}`).
		ok(t, http.StatusOK, &updated)
	if u := updated.Data; u.EndpointURL != "http://localhost:9000/hooks" || u.Status != "INACTIVE" || u.EndpointAuth.Type != "NONE" ||
		len(u.CustomHeaders) != 0 || u.EventTypes[0] != "v1.export.job-created" {
		t.Errorf("updated %+v", u)
	}
	if ids := e.list("GET", "/v1/subscriptions?status=INACTIVE", "dk", "").ids(t); len(ids) != 1 {
		t.Errorf("status filter after update: %v", ids)
	}

	e.clock.advance(time.Second)
	if r := e.do("DELETE", path, "dk", ""); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	e.do("DELETE", path, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("PUT", path, "dk", `{"endpointUrl":"https://erp.example","eventTypes":["v1.vendor.created"]}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", path+"/secret", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	var gone subscriptionBody
	e.do("GET", path, "dk", "").ok(t, http.StatusOK, &gone)
	if gone.Data.DeletedAt == nil || gone.Data.DeletedBy != "urn:pleo:company:"+seed.DenmarkID {
		t.Errorf("deleted subscription: deletedAt %v deletedBy %q", gone.Data.DeletedAt, gone.Data.DeletedBy)
	}
	if ids := e.list("GET", "/v1/subscriptions", "dk", "").ids(t); len(ids) != 0 {
		t.Errorf("list after delete: %v", ids)
	}

	var acts struct {
		Data []struct {
			OperationType, Description, ActorURN, SubscriptionID string
		} `json:"data"`
	}
	e.do("GET", path+"/activities", "dk", "").ok(t, http.StatusOK, &acts)
	var ops []string
	for _, a := range acts.Data {
		ops = append(ops, a.OperationType)
		if a.ActorURN != "urn:pleo:company:"+seed.DenmarkID || a.SubscriptionID != d.ID {
			t.Errorf("activity %+v", a)
		}
	}
	if strings.Join(ops, ",") != "CREATE,UPDATE,DELETE" {
		t.Errorf("activities %v", ops)
	}
	e.do("GET", path+"/activities?operation_types=DELETE", "dk", "").ok(t, http.StatusOK, &acts)
	if len(acts.Data) != 1 || acts.Data[0].Description != "Subscription deleted" {
		t.Errorf("operation_types filter: %+v", acts.Data)
	}
	e.do("GET", path+"/activities?operation_types=PATCH", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
}

// TestSubscriptionsBelongToSubjectAndClient: another subject or another
// client of the same subject finds nothing.
func TestSubscriptionsBelongToSubjectAndClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := createSubscription(t, e, "dk", `{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.export-job.created"]}`).Data
	other := e.addToken("dk-other-client", denmark, oauth.ScopeNames())
	other.ClientID = seed.PublicClientID
	e.verify.tokens["dk-other-client"] = other
	path := "/v1/subscriptions/" + d.ID
	for _, token := range []string{"se", "org", "dk-other-client"} {
		for _, p := range []string{path, path + "/secret", path + "/activities"} {
			e.do("GET", p, token, "").fails(t, http.StatusNotFound, "NOT_FOUND")
		}
		e.do("PUT", path, token, `{"endpointUrl":"https://evil.example","eventTypes":["v1.export-job.created"]}`).fails(t, http.StatusNotFound, "NOT_FOUND")
		e.do("DELETE", path, token, "").fails(t, http.StatusNotFound, "NOT_FOUND")
		if ids := e.list("GET", "/v1/subscriptions", token, "").ids(t); len(ids) != 0 {
			t.Errorf("%s lists %v", token, ids)
		}
	}
	if ids := e.list("GET", "/v1/subscriptions", "dk", "").ids(t); len(ids) != 1 {
		t.Errorf("owner lists %v", ids)
	}
}

func TestSubscriptionValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct{ body, typ, mentions string }{
		{`{"eventTypes":["v1.export-job.created"]}`, "VALIDATION_FAILED", "endpointUrl"},
		{`{"endpointUrl":"/hooks","eventTypes":["v1.export-job.created"]}`, "VALIDATION_FAILED", "endpointUrl"},
		{`{"endpointUrl":"ftp://erp.example/hooks","eventTypes":["v1.export-job.created"]}`, "VALIDATION_FAILED", "endpointUrl"},
		{`{"endpointUrl":"https://user:pw@erp.example/hooks","eventTypes":["v1.export-job.created"]}`, "VALIDATION_FAILED", "endpointUrl"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":[]}`, "VALIDATION_FAILED", "eventTypes"},
		{`{"endpointUrl":"https://erp.example/hooks"}`, "VALIDATION_FAILED", "eventTypes"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":["v2.export-job.created"]}`, "VALIDATION_FAILED", "eventTypes[0]"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.vendor.created","v1.vendor.created"]}`, "VALIDATION_FAILED", "unique"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.vendor.created"],"status":"PAUSED"}`, "VALIDATION_FAILED", "status"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.vendor.created"],"endpointAuth":{"type":"BASIC"}}`, "VALIDATION_FAILED", "credentials"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.vendor.created"],"endpointAuth":{"type":"BASIC","credentials":{"username":"u"}}}`, "VALIDATION_FAILED", "credentials"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.vendor.created"],"endpointAuth":{"type":"OAUTH"}}`, "VALIDATION_FAILED", "endpointAuth.type"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.vendor.created"],"customHeaders":{"webhook-signature":"x"}}`, "VALIDATION_FAILED", "customHeaders"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.vendor.created"],"customHeaders":{"bad header":"x"}}`, "VALIDATION_FAILED", "customHeaders"},
		{`{"endpointUrl":"https://erp.example/hooks","eventTypes":"v1.vendor.created"}`, "JSON_MAPPING_EXCEPTION", "eventTypes"},
	} {
		msg := e.do("POST", "/v1/subscriptions", "dk", c.body).fails(t, http.StatusBadRequest, c.typ)
		if !strings.Contains(msg, c.mentions) {
			t.Errorf("%s: message %q does not mention %q", c.body, msg, c.mentions)
		}
	}
	e.do("GET", "/v1/subscriptions?event_types=v9.nothing", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	e.do("GET", "/v1/subscriptions?status=on", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	e.do("GET", "/v1/subscriptions/not-a-uuid", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	if ids := e.list("GET", "/v1/subscriptions", "dk", "").ids(t); len(ids) != 0 {
		t.Errorf("refused requests created %v", ids)
	}
}

// TestSubscriptionEventScopes: each event type needs its own scope besides
// the routes' export-jobs:read.
func TestSubscriptionEventScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addToken("export-only", denmark, []string{oauth.ExportJobsRead})
	createSubscription(t, e, "export-only", `{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.export-job.created"]}`)
	msg := e.do("POST", "/v1/subscriptions", "export-only", `{"endpointUrl":"https://erp.example/hooks","eventTypes":["v1.vendor.created"]}`).
		fails(t, http.StatusForbidden, "INSUFFICIENT_SCOPE")
	if !strings.Contains(msg, oauth.VendorsRead) {
		t.Errorf("message %q does not name %s", msg, oauth.VendorsRead)
	}
	e.addToken("vendors-only", denmark, []string{oauth.VendorsRead})
	e.do("GET", "/v1/subscriptions", "vendors-only", "").fails(t, http.StatusForbidden, "INSUFFICIENT_SCOPE")
}
