package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// TestVendorCSVUploadThroughTheRouter walks a vendor CSV import through the
// real router: the presigned URL points at the emulator's public URL and
// takes the file without a bearer token.
func TestVendorCSVUploadThroughTheRouter(t *testing.T) {
	e := apptest.Start(t, "")
	_, tok := e.TokenPair(t, "vendors:read vendors:write")
	bearer := http.Header{"Authorization": {"Bearer " + tok.AccessToken}}
	call := func(method, path, body string, dst any) {
		t.Helper()
		resp, text := apptest.Send(t, method, e.URL+path, "application/json", bearer, strings.NewReader(body))
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, text)
		}
		if err := json.Unmarshal([]byte(text), dst); err != nil {
			t.Fatal(err)
		}
	}
	var job struct{ Data struct{ ID, Status string } }
	call("POST", "/v1/vendors/csv-import/jobs", `{"companyId":"`+seed.DenmarkID+`","originalFilename":"v.csv","type":"vendors"}`, &job)
	var signed struct{ Data struct{ PresignedURL string } }
	call("POST", "/v1/vendors/csv-import/jobs/"+job.Data.ID+":get-presigned-url", "", &signed)
	if !strings.HasPrefix(signed.Data.PresignedURL, e.URL+"/_uploads/") {
		t.Fatalf("presigned URL %q is not on the emulator %s", signed.Data.PresignedURL, e.URL)
	}
	file, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vendors", "all-good.csv"))
	if err != nil {
		t.Fatal(err)
	}
	resp, text := apptest.Send(t, http.MethodPut, signed.Data.PresignedURL, "text/csv", nil, bytes.NewReader(file))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" {
		t.Fatalf("upload: %d %s", resp.StatusCode, text)
	}
	u, _ := url.Parse(signed.Data.PresignedURL)
	resp, text = apptest.Send(t, http.MethodPut, e.URL+u.Path+"?expires=1&signature=x", "text/csv", nil, bytes.NewReader(file))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(text, "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("forged upload: %d %s", resp.StatusCode, text)
	}
	call("POST", "/v1/vendors/csv-import/jobs/"+job.Data.ID+":run", "", &job)
	if job.Data.Status != "COMPLETED" {
		t.Errorf("run: %+v", job)
	}
}
