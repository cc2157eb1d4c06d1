package control_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

var (
	dkEntry   = seed.ID("acme-denmark/entry/0")
	dkReceipt = seed.ID("acme-denmark/receipt/0")
)

// sampleReceipt reads a file of the repository's testdata/receipts.
func sampleReceipt(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "receipts", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type attached struct {
	ID, AccountingEntryID, ContentType, MimeType, Source string
	SizeInBytes                                          int
	Error                                                string
}

// upload posts body with contentType to the entry's receipts.
func upload(t *testing.T, e *apptest.Emulator, entry, query, contentType string, body []byte) (int, attached) {
	t.Helper()
	resp, raw := apptest.Send(t, "POST", e.URL+"/_emulator/accounting-entries/"+entry+"/receipts"+query, contentType, nil, bytes.NewReader(body))
	var a attached
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		t.Fatalf("%d %s: %v", resp.StatusCode, raw, err)
	}
	return resp.StatusCode, a
}

// download fetches the file of a receipt through the API and its presigned URL.
func download(t *testing.T, e *apptest.Emulator, token, entry, id string) (*http.Response, string) {
	t.Helper()
	resp, raw := apptest.Send(t, "GET", e.URL+"/v1/accounting-entries/"+entry+"/receipts/"+id, "",
		http.Header{"Authorization": {"Bearer " + token}}, nil)
	var r struct{ Data struct{ URL string } }
	if err := json.Unmarshal([]byte(raw), &r); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("get receipt: %d %s", resp.StatusCode, raw)
	}
	if !strings.HasPrefix(r.Data.URL, e.URL+"/receipt-files/") {
		t.Fatalf("url %q is not on the public URL", r.Data.URL)
	}
	return apptest.Send(t, "GET", r.Data.URL, "", nil, nil)
}

func TestControlAttachesReceipts(t *testing.T) {
	e := apptest.Start(t, "")
	token := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "accounting-entries:read"}`).AccessToken

	png, pdf, jpg := sampleReceipt(t, "cafe.png"), sampleReceipt(t, "hotel.pdf"), sampleReceipt(t, "taxi.jpg")
	// A large file of an odd type, made here rather than committed.
	large := bytes.Repeat([]byte("pleo-emulator receipt line\n"), (3<<20)/27+1)

	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	part, _ := w.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="file"; filename="taxi.jpg"`},
		"Content-Type": {"image/jpeg"}})
	part.Write(jpg)
	w.Close()

	cases := []struct {
		name, query, contentType string
		body, want               []byte
		mimeType, source         string
	}{
		{"raw png", "", "image/png", png, png, "image/png", "USER"},
		{"raw pdf", "?source=EMAIL_FORWARDING", "application/pdf", pdf, pdf, "application/pdf", "EMAIL_FORWARDING"},
		{"multipart jpeg", "?source=CAMERA", w.FormDataContentType(), mp.Bytes(), jpg, "image/jpeg", "CAMERA"},
		{"large odd type", "", "application/x-scan; profile=a4", large, large, "unknown", "USER"},
	}
	ids := []string{dkReceipt}
	for _, c := range cases {
		st, a := upload(t, e, dkEntry, c.query, c.contentType, c.body)
		if st != http.StatusCreated || a.MimeType != c.mimeType || a.Source != c.source || a.SizeInBytes != len(c.want) {
			t.Fatalf("%s: %d %+v", c.name, st, a)
		}
		ids = append(ids, a.ID)
		resp, got := download(t, e, token, dkEntry, a.ID)
		wantType := c.contentType
		if c.name == "multipart jpeg" {
			wantType = "image/jpeg"
		}
		if resp.StatusCode != http.StatusOK || got != string(c.want) || resp.Header.Get("Content-Type") != wantType {
			t.Errorf("%s: download %d, %d bytes, Content-Type %q", c.name, resp.StatusCode, len(got), resp.Header.Get("Content-Type"))
		}
	}
	var entry struct{ Data struct{ ReceiptIDs []string } }
	resp, raw := apptest.Send(t, "GET", e.URL+"/v1/accounting-entries/"+dkEntry, "", http.Header{"Authorization": {"Bearer " + token}}, nil)
	if err := json.Unmarshal([]byte(raw), &entry); err != nil || resp.StatusCode != http.StatusOK || strings.Join(entry.Data.ReceiptIDs, ",") != strings.Join(ids, ",") {
		t.Errorf("entry receiptIds %v, want %v", entry.Data.ReceiptIDs, ids)
	}

	// Refusals.
	for _, c := range []struct {
		entry, query, contentType string
		body                      []byte
		status                    int
	}{
		{seed.ID("acme-denmark/entry/999"), "", "image/png", png, http.StatusNotFound},
		{dkEntry, "", "image/png", nil, http.StatusBadRequest},
		{dkEntry, "?source=FAX", "image/png", png, http.StatusBadRequest},
		{dkEntry, "?id=nope", "image/png", png, http.StatusBadRequest},
		{dkEntry, "?id=" + ids[1], "image/png", png, http.StatusConflict},
		{dkEntry, "", "multipart/form-data; boundary=x", []byte("--x--\r\n"), http.StatusBadRequest},
	} {
		if st, a := upload(t, e, c.entry, c.query, c.contentType, c.body); st != c.status || a.Error == "" {
			t.Errorf("%s%s: %d %+v, want %d with an error", c.entry, c.query, st, a, c.status)
		}
	}

	// A reset restores the seed's receipt, byte for byte, and drops the uploads.
	_, before := download(t, e, token, dkEntry, dkReceipt)
	if e.Control(t, "POST", "/reset", "", nil) != http.StatusOK {
		t.Fatal("reset failed")
	}
	token = e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "accounting-entries:read"}`).AccessToken
	if _, after := download(t, e, token, dkEntry, dkReceipt); after != before || len(before) < 500 {
		t.Errorf("seeded receipt changed across a reset: %d bytes, then %d", len(before), len(after))
	}
	resp, _ = apptest.Send(t, "GET", e.URL+"/v1/accounting-entries/"+dkEntry+"/receipts/"+ids[1], "",
		http.Header{"Authorization": {"Bearer " + token}}, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("uploaded receipt after reset: %d", resp.StatusCode)
	}
}

// TestConfigFileAttachesReceipts starts an emulator whose config file
// attaches a sample receipt; a restart does not attach it twice.
func TestConfigFileAttachesReceipts(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "taxi.jpg"), sampleReceipt(t, "taxi.jpg"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := "6b1f7e1a-4a1e-4c55-9d1a-7f3a2b1c0d9e"
	cfgFile := filepath.Join(dir, "emulator.yaml")
	if err := os.WriteFile(cfgFile, []byte("receipts:\n  - id: "+id+"\n    accounting_entry_id: "+dkEntry+
		"\n    file: taxi.jpg\n    source: CAMERA\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := config.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "emulator.db")
	withFile := func(c *config.Config) { c.Additions = f.Additions }
	for range 2 { // the second start finds the receipt attached already
		e := apptest.Start(t, db, withFile)
		token := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "accounting-entries:read"}`).AccessToken
		resp, got := download(t, e, token, dkEntry, id)
		if resp.StatusCode != http.StatusOK || got != string(sampleReceipt(t, "taxi.jpg")) || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("config receipt: %d, %d bytes, %q", resp.StatusCode, len(got), resp.Header.Get("Content-Type"))
		}
		e.Stop()
	}
}
