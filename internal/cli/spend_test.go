package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// entryOut decodes the entry the spend command prints.
func entryOut(t *testing.T, out string) pleo.AccountingEntry {
	t.Helper()
	var e pleo.AccountingEntry
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.ID == "" {
		t.Fatalf("spend printed %q: %v", out, err)
	}
	return e
}

func TestSpendVerb(t *testing.T) {
	t.Parallel()
	base := startEmulator(t)
	env := map[string]string{"PLEO_EMULATOR_URL": base}
	dir := t.TempDir()
	receipt := filepath.Join(dir, "taxi.pdf")
	if err := os.WriteFile(receipt, []byte("%PDF-1.4 taxi"), 0o600); err != nil {
		t.Fatal(err)
	}
	group, tag := seed.ID("acme-denmark/tag-group/1"), seed.ID("acme-denmark/tag/1/0")

	e := entryOut(t, mustRun(t, env, "spend", seed.DenmarkID, "--sub-family", "ONLINE", "--amount", "240.00 EUR", "--rate", "0.134",
		"--merchant", "Hotel Berlin", "--note", "Hotel", "--tag", group+"="+tag, "--receipt", receipt, "--draw-receipt", "1",
		"--employee", seed.ID("acme-denmark/employee/1"), "--performed-at", "2020-01-02T10:00:00Z"))
	if e.Status != "PENDING" || e.SubFamily != "ONLINE" || e.TransactionValue != (pleo.Money{Currency: "EUR", Minors: 24_000}) ||
		*e.TotalBillValue != (pleo.Money{Currency: "DKK", Minors: 179_104}) || len(e.ReceiptIDs) != 2 || len(e.Tags) != 1 ||
		e.Tags[0].TagID != tag || e.Note != "Hotel" || e.PerformedAt.Year() != 2020 {
		t.Errorf("created: %+v", e)
	}

	s := entryOut(t, mustRun(t, env, "spend", "settle", e.ID, "--at", "2020-01-03T08:00:00Z"))
	if s.Status != "COMPLETED" || s.SettledAt == nil || s.SettledAt.Day() != 3 {
		t.Errorf("settled: %+v", s)
	}
	r := entryOut(t, mustRun(t, env, "spend", "review", e.ID, "OK"))
	if r.ReviewStatus != "OK" {
		t.Errorf("reviewed: %+v", r)
	}
	ed := entryOut(t, mustRun(t, env, "spend", "edit", e.ID, "--note", "Hotel, two nights", "--amount", "300.00 EUR"))
	if ed.Note != "Hotel, two nights" || ed.TransactionValue.Minors != 30_000 || ed.TotalBillValue.Minors != 223_880 || len(ed.Tags) != 1 {
		t.Errorf("edited: %+v", ed)
	}

	// --body gives the fields the flags do not have, such as split items.
	body := filepath.Join(dir, "split.json")
	if err := os.WriteFile(body, []byte(`{"family": "OUT_OF_POCKET", "splitItems": [
		{"transactionValue": {"minors": 6000}}, {"transactionValue": {"minors": 4000}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	split := entryOut(t, mustRun(t, env, "spend", seed.DenmarkID, "--body", body, "--amount", "100.00 DKK"))
	if split.Family != "OUT_OF_POCKET" || len(split.SplitItems) != 2 || split.Status != "COMPLETED" {
		t.Errorf("split: %+v", split)
	}

	d := entryOut(t, mustRun(t, env, "spend", "delete", e.ID))
	if d.DeletedAt == nil {
		t.Errorf("deleted: %+v", d)
	}

	mustFail(t, env, "is deleted", "spend", "delete", e.ID)
	mustFail(t, env, "family must be one of", "spend", seed.DenmarkID, "--family", "GROCERIES")
	mustFail(t, env, "employeeId", "spend", seed.DenmarkID, "--employee", seed.ID("acme-sweden/employee/0"))
	mustFail(t, env, "has more decimals than JPY", "spend", seed.DenmarkID, "--amount", "10.5 JPY")
	mustFail(t, env, `such as "240.00 EUR"`, "spend", seed.DenmarkID, "--amount", "240")
	mustFail(t, env, "--status cannot change", "spend", "edit", split.ID, "--status", "CANCELLED")
	mustFail(t, env, "not an RFC 3339 time", "spend", "settle", split.ID, "--at", "yesterday")
	mustFail(t, env, "only a PENDING entry settles", "spend", "settle", split.ID)
	mustFail(t, env, "usage:", "spend", "review", split.ID)
	mustFail(t, env, "accounting entry not found", "spend", "review", seed.ID("nothing"), "OK")
	mustFail(t, env, "invalid character", "spend", seed.DenmarkID, "--body", receipt)
	if err := os.WriteFile(body, []byte(`{"amount": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	mustFail(t, env, `unknown field "amount"`, "spend", seed.DenmarkID, "--body", body)
	if out := mustRun(t, env, "spend", "-h"); out != "" {
		t.Errorf("help went to stdout: %q", out)
	}
	if _, _, stderr := run(t, env, "spend", "-h"); !strings.Contains(stderr, "spend settle") || !strings.Contains(stderr, "-amount") {
		t.Errorf("help: %q", stderr)
	}
}

func TestParseMoneyFlag(t *testing.T) {
	t.Parallel()
	base := startEmulator(t)
	env := map[string]string{"PLEO_EMULATOR_URL": base}
	for _, c := range []struct {
		amount string
		want   pleo.Money
	}{
		{"12.5 DKK", pleo.Money{Currency: "DKK", Minors: 1_250}},
		{"-3 DKK", pleo.Money{Currency: "DKK", Minors: -300}},
		{"1500 ISK", pleo.Money{Currency: "ISK", Minors: 1_500}},
		{"1.234 KWD", pleo.Money{Currency: "KWD", Minors: 1_234}},
	} {
		args := []string{"spend", seed.DenmarkID, "--family", "CREDIT_NOTE", "--amount", c.amount}
		if c.want.Currency != "DKK" {
			args = append(args, "--rate", "1.5")
		}
		if e := entryOut(t, mustRun(t, env, args...)); e.TransactionValue != c.want {
			t.Errorf("--amount %q: %+v, want %+v", c.amount, e.TransactionValue, c.want)
		}
	}
}
