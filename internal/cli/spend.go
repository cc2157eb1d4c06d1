package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
)

const spendUsage = `usage:
  pleo-emulator spend <company-id> [flags]           record an accounting entry (a card purchase unless --family)
  pleo-emulator spend edit <entry-id> [flags]        change an entry (only the flags given)
  pleo-emulator spend settle <entry-id> [--at TIME]  settle a PENDING entry
  pleo-emulator spend review <entry-id> <STATUS>     move its review status (OK, NOT_OK, WAITING_FOR_REVIEWER, ...)
  pleo-emulator spend delete <entry-id>              delete it
Each prints the entry as Pleo's AccountingEntryV1 JSON. Amounts are decimals with their
currency, as in --amount "240.00 EUR". Run 'pleo-emulator spend -h' for the flags.`

// spendCommand plays the customer's side of Pleo on a running emulator
// through the control API: it records accounting entries and moves them
// through their lifecycle (see spendUsage).
func spendCommand(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var cf controlFlags
	fs := newFlagSet("spend", stderr, &cf)
	var ef entryFlags
	ef.register(fs)
	at := fs.String("at", "", "settle: settledAt, RFC 3339 (default: the emulator's now)")
	setUsage(fs, spendUsage)
	rest, err := parseFlags(fs, args, &cf)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		fs.Usage()
		return flag.ErrHelp
	}
	var method, path string
	var body any
	switch verb := rest[0]; {
	case verb == "settle" && len(rest) == 2:
		method, path = http.MethodPost, "/accounting-entries/"+url.PathEscape(rest[1])+"/settle"
		settle := map[string]string{}
		if *at != "" {
			if _, err := time.Parse(time.RFC3339Nano, *at); err != nil {
				return fmt.Errorf("spend settle: --at %q is not an RFC 3339 time such as 2026-03-02T09:30:00Z", *at)
			}
			settle["settledAt"] = *at
		}
		body = settle
	case verb == "review" && len(rest) == 3:
		method, path = http.MethodPost, "/accounting-entries/"+url.PathEscape(rest[1])+"/review"
		body = map[string]string{"reviewStatus": rest[2]}
	case verb == "delete" && len(rest) == 2:
		method, path = http.MethodDelete, "/accounting-entries/"+url.PathEscape(rest[1])
	case verb == "edit" && len(rest) == 2:
		change, err := ef.change(cf.set)
		if err != nil {
			return fmt.Errorf("spend edit: %w", err)
		}
		method, path, body = http.MethodPatch, "/accounting-entries/"+url.PathEscape(rest[1]), change
	case len(rest) == 1 && verb != "settle" && verb != "review" && verb != "delete" && verb != "edit":
		entry, err := ef.newEntry(cf.set)
		if err != nil {
			return fmt.Errorf("spend: %w", err)
		}
		method, path, body = http.MethodPost, "/companies/"+url.PathEscape(verb)+"/accounting-entries", entry
	default:
		return errors.New(strings.ReplaceAll(spendUsage, "\n", " "))
	}
	c, err := cf.client(getenv)
	if err != nil {
		return err
	}
	var entry json.RawMessage
	if _, err := c.do(ctx, method, path, body, &entry); err != nil {
		return err
	}
	out, err := json.MarshalIndent(entry, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

// entryFlags are the flags of the common fields of an entry, for spend
// and spend edit.
type entryFlags struct {
	body                                            string
	family, subFamily, status, reviewStatus         string
	employee, team, performedAt, settledAt          string
	amount, bill, rate                              string
	merchant, note, account, taxCode, supplierDocNo string
	tags, receipts                                  stringList
	drawReceipts                                    int
}

func (f *entryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.body, "body", "", "a JSON file (or - for stdin) with the whole entry or change, as the control API takes it; the flags below override it")
	fs.StringVar(&f.family, "family", "", "family, e.g. CARD_PURCHASE (default), OUT_OF_POCKET, MILEAGE, BILL_INVOICE, CREDIT_NOTE")
	fs.StringVar(&f.subFamily, "sub-family", "", "subFamily, e.g. IN_STORE (default for a card purchase), ONLINE, ATM")
	fs.StringVar(&f.status, "status", "", "first status (default PENDING for a card purchase, COMPLETED otherwise)")
	fs.StringVar(&f.reviewStatus, "review-status", "", "first review status (default NOT_SET)")
	fs.StringVar(&f.employee, "employee", "", "employee ID (default the company's first employee, for an employee's spending)")
	fs.StringVar(&f.team, "team", "", "team ID (default the employee's team)")
	fs.StringVar(&f.performedAt, "performed-at", "", "performedAt, RFC 3339 (default now)")
	fs.StringVar(&f.settledAt, "settled-at", "", "settledAt, RFC 3339: records the entry settled")
	fs.StringVar(&f.amount, "amount", "", `transactionValue, e.g. "240.00 EUR" (default 100 in the wallet currency)`)
	fs.StringVar(&f.bill, "bill", "", `totalBillValue in the wallet currency, e.g. "1791.04 DKK" (default converted at --rate)`)
	fs.StringVar(&f.rate, "rate", "", "exchangeRate: units of the transaction currency per unit of the wallet currency (default the reference rate)")
	fs.StringVar(&f.merchant, "merchant", "", "merchant name (export items, drawn receipts)")
	fs.StringVar(&f.note, "note", "", "note")
	fs.StringVar(&f.account, "account", "", "account ID")
	fs.StringVar(&f.taxCode, "tax-code", "", "tax code ID")
	fs.StringVar(&f.supplierDocNo, "document-number", "", "the supplier's document number (an invoice's number)")
	fs.Var(&f.tags, "tag", "tag as GROUP_ID=TAG_ID, or GROUP_ID for \"I don't know\" (repeat; on edit, replaces the tags)")
	fs.Var(&f.receipts, "receipt", "a receipt file to upload (repeat)")
	fs.IntVar(&f.drawReceipts, "draw-receipt", 0, "number of receipts to draw from the entry, as the demo seed does")
}

// newEntry is the entry the flags describe, on top of --body.
func (f *entryFlags) newEntry(set map[string]bool) (spend.NewEntry, error) {
	var in spend.NewEntry
	if err := f.readBody(&in); err != nil {
		return in, err
	}
	for _, t := range []struct {
		name     string
		from, to *string
	}{{"family", &f.family, &in.Family}, {"sub-family", &f.subFamily, &in.SubFamily}, {"status", &f.status, &in.Status},
		{"review-status", &f.reviewStatus, &in.ReviewStatus}, {"employee", &f.employee, &in.EmployeeID},
		{"team", &f.team, &in.TeamID}, {"rate", &f.rate, &in.ExchangeRate}, {"merchant", &f.merchant, &in.MerchantName},
		{"note", &f.note, &in.Note}, {"account", &f.account, &in.AccountID}, {"tax-code", &f.taxCode, &in.TaxCodeID}} {
		if set[t.name] {
			*t.to = *t.from
		}
	}
	var err error
	if in.PerformedAt, err = f.time(set, "performed-at", f.performedAt, in.PerformedAt); err != nil {
		return in, err
	}
	if in.SettledAt, err = f.time(set, "settled-at", f.settledAt, in.SettledAt); err != nil {
		return in, err
	}
	if in.TransactionValue, err = f.money(set, "amount", f.amount, in.TransactionValue); err != nil {
		return in, err
	}
	if in.TotalBillValue, err = f.money(set, "bill", f.bill, in.TotalBillValue); err != nil {
		return in, err
	}
	if set["document-number"] {
		if in.Supplier == nil {
			in.Supplier = &pleo.Supplier{}
		}
		in.Supplier.DocumentNumber = f.supplierDocNo
	}
	if set["tag"] {
		in.Tags = f.entryTags()
	}
	receipts, err := f.newReceipts()
	in.Receipts = append(in.Receipts, receipts...)
	return in, err
}

// change is the edit the flags describe, on top of --body: only the flags given.
func (f *entryFlags) change(set map[string]bool) (spend.EntryChange, error) {
	var in spend.EntryChange
	if err := f.readBody(&in); err != nil {
		return in, err
	}
	for _, name := range []string{"family", "sub-family", "status", "review-status", "settled-at"} {
		if set[name] {
			return in, fmt.Errorf("--%s cannot change: use the entry's own moves (settle, review) or a new entry", name)
		}
	}
	for _, t := range []struct {
		name string
		from *string
		to   **string
	}{{"employee", &f.employee, &in.EmployeeID}, {"team", &f.team, &in.TeamID}, {"rate", &f.rate, &in.ExchangeRate},
		{"merchant", &f.merchant, &in.MerchantName}, {"note", &f.note, &in.Note}, {"account", &f.account, &in.AccountID},
		{"tax-code", &f.taxCode, &in.TaxCodeID}} {
		if set[t.name] {
			v := *t.from
			*t.to = &v
		}
	}
	var err error
	if in.PerformedAt, err = f.time(set, "performed-at", f.performedAt, in.PerformedAt); err != nil {
		return in, err
	}
	if in.TransactionValue, err = f.money(set, "amount", f.amount, in.TransactionValue); err != nil {
		return in, err
	}
	if in.TotalBillValue, err = f.money(set, "bill", f.bill, in.TotalBillValue); err != nil {
		return in, err
	}
	if set["document-number"] {
		in.Supplier = &pleo.Supplier{DocumentNumber: f.supplierDocNo}
	}
	if set["tag"] {
		tags := f.entryTags()
		in.Tags = &tags
	}
	receipts, err := f.newReceipts()
	in.Receipts = append(in.Receipts, receipts...)
	return in, err
}

// readBody decodes --body, when given, into dst, refusing unknown fields
// as the control API does.
func (f *entryFlags) readBody(dst any) error {
	if f.body == "" {
		return nil
	}
	var r io.Reader = os.Stdin
	if f.body != "-" {
		file, err := os.Open(f.body)
		if err != nil {
			return fmt.Errorf("--body: %w", err)
		}
		defer file.Close()
		r = file
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("--body %s: %w", f.body, err)
	}
	return nil
}

func (f *entryFlags) time(set map[string]bool, name, value string, current *time.Time) (*time.Time, error) {
	if !set[name] {
		return current, nil
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return nil, fmt.Errorf("--%s %q is not an RFC 3339 time such as 2026-03-02T09:30:00Z", name, value)
	}
	return &t, nil
}

func (f *entryFlags) money(set map[string]bool, name, value string, current *pleo.Money) (*pleo.Money, error) {
	if !set[name] {
		return current, nil
	}
	m, err := parseMoney(value)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", name, err)
	}
	return &m, nil
}

func (f *entryFlags) entryTags() []pleo.EntryTag {
	tags := make([]pleo.EntryTag, 0, len(f.tags))
	for _, t := range f.tags {
		group, tag, _ := strings.Cut(t, "=")
		tags = append(tags, pleo.EntryTag{TagGroupID: group, TagID: tag})
	}
	return tags
}

// newReceipts reads the --receipt files and adds --draw-receipt drawn ones.
func (f *entryFlags) newReceipts() ([]spend.NewReceipt, error) {
	var out []spend.NewReceipt
	for _, path := range f.receipts {
		content, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--receipt: %w", err)
		}
		if len(content) == 0 {
			return nil, fmt.Errorf("--receipt %s: the file is empty", path)
		}
		out = append(out, spend.NewReceipt{Content: content, ContentType: mime.TypeByExtension(filepath.Ext(path))})
	}
	if f.drawReceipts < 0 {
		return nil, errors.New("--draw-receipt must not be negative")
	}
	for range f.drawReceipts {
		out = append(out, spend.NewReceipt{})
	}
	return out, nil
}

// moneyText is an amount as the flags take it: a decimal and its currency.
var moneyText = regexp.MustCompile(`^\s*(-?[0-9]+(?:\.[0-9]+)?)\s+([A-Z]{3})\s*$`)

// parseMoney reads "240.00 EUR" as 24000 minor units of EUR; the decimals
// may not exceed the currency's minor unit (ISO 4217).
func parseMoney(s string) (pleo.Money, error) {
	m := moneyText.FindStringSubmatch(s)
	if m == nil {
		return pleo.Money{}, fmt.Errorf("%q is not an amount and its currency, such as \"240.00 EUR\"", s)
	}
	amount, _ := new(big.Rat).SetString(m[1])
	digits := pleo.MinorUnitDigits(m[2])
	minors := amount.Mul(amount, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)))
	if !minors.IsInt() || !minors.Num().IsInt64() {
		return pleo.Money{}, fmt.Errorf("%q has more decimals than %s's %d, or is too large", s, m[2], digits)
	}
	return pleo.Money{Currency: m[2], Minors: minors.Num().Int64()}, nil
}
