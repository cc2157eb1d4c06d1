package web

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// This file reads the spending page's record form: what a person types
// and uploads, checked field by field so that each problem is shown next
// to its field.

// MaxReceiptBytes is the largest receipt file the spending page accepts
// (emulator choice).
const MaxReceiptBytes = 10 << 20

// MaxSpendingFormBytes bounds the record form's body: the receipt and the
// other fields. A larger body is refused before the form is read; a
// receipt between MaxReceiptBytes and this is refused next to its field.
const MaxSpendingFormBytes = MaxReceiptBytes + 1<<20

// Element ids of the record form's fields, which errors link to.
const (
	fieldKind     = "spend-kind-0" // the first radio button of the group
	fieldMerchant = "spend-merchant"
	fieldDate     = "spend-date"
	fieldAmount   = "spend-amount"
	fieldCurrency = "spend-currency"
	fieldNote     = "spend-note"
	fieldReceipt  = "spend-receipt"
)

// Limits of the record form's text fields, in characters.
const (
	maxMerchantChars = 200
	maxNoteChars     = 1000
)

// spendKind is one choice of the form's "what did you buy with" group.
type spendKind struct {
	value, label      string
	family, subFamily string
}

// spendKinds are the purchases a person records on the page: a company
// card purchase (in a shop or online) or an out-of-pocket expense.
var spendKinds = []spendKind{
	{"card-in-store", "Company card, in a shop", pleo.FamilyCardPurchase, "IN_STORE"},
	{"card-online", "Company card, online", pleo.FamilyCardPurchase, "ONLINE"},
	{"out-of-pocket", "My own money (out-of-pocket expense)", pleo.FamilyOutOfPocket, ""},
}

// recordInput is the record form as sent; the raw text is kept to show
// the form again after an error.
type recordInput struct {
	Kind, Merchant, Date, Amount, Currency, Note string
}

// recordEntry is a valid record form.
type recordEntry struct {
	kind        spendKind
	merchant    string
	performedAt time.Time
	value       pleo.Money
	note        string
	receipt     *uploadedReceipt // nil: no receipt
}

// uploadedReceipt is the form's receipt file.
type uploadedReceipt struct {
	contentType string
	content     []byte
}

// recordForm builds the form for s, showing in again (after an error).
func (h *Handlers) recordForm(s spender, in recordInput) *view.SpendForm {
	today := h.clock.Now().UTC().Format(time.DateOnly)
	f := &view.SpendForm{Action: spendingRecordPath, Merchant: in.Merchant, Date: in.Date, MaxDate: today,
		Amount: in.Amount, Note: in.Note, ReceiptLimit: httpx.ByteSize(MaxReceiptBytes)}
	if f.Date == "" {
		f.Date = today
	}
	for _, k := range spendKinds {
		f.Kinds = append(f.Kinds, view.OptionView{Value: k.value, Label: k.label, Selected: k.value == in.Kind})
	}
	currency := in.Currency
	if currency == "" {
		currency = s.company.Currency
	}
	for _, c := range spendCurrencies(s.company.Currency) {
		label := c
		if c == s.company.Currency {
			label += " (the company's currency)"
		}
		f.Currencies = append(f.Currencies, view.OptionView{Value: c, Label: label, Selected: c == currency})
	}
	return f
}

// spendCurrencies are the currencies a purchase may be in: the company's
// first, then every currency the emulator has an exchange rate for.
func spendCurrencies(companyCurrency string) []string {
	out := []string{companyCurrency}
	for _, c := range pleo.ReferenceCurrencies() {
		if c != companyCurrency {
			out = append(out, c)
		}
	}
	return out
}

// readRecordForm checks the posted record form of s. It returns the form
// as sent and either the entry or the problems, in field order.
func readRecordForm(r *http.Request, s spender, now time.Time) (recordInput, recordEntry, []view.FieldError) {
	in := recordInput{Kind: r.PostFormValue("kind"), Merchant: strings.TrimSpace(r.PostFormValue("merchant")),
		Date: strings.TrimSpace(r.PostFormValue("date")), Amount: strings.TrimSpace(r.PostFormValue("amount")),
		Currency: r.PostFormValue("currency"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	var out recordEntry
	var errs []view.FieldError
	fail := func(field, message string) { errs = append(errs, view.FieldError{Field: field, Message: message}) }

	if i := slices.IndexFunc(spendKinds, func(k spendKind) bool { return k.value == in.Kind }); i >= 0 {
		out.kind = spendKinds[i]
	} else {
		fail(fieldKind, "Choose how you paid.")
	}
	switch n := utf8.RuneCountInString(in.Merchant); {
	case n == 0:
		fail(fieldMerchant, "Enter the merchant: where you bought it.")
	case n > maxMerchantChars:
		fail(fieldMerchant, "The merchant must be at most "+strconv.Itoa(maxMerchantChars)+" characters.")
	default:
		out.merchant = in.Merchant
	}
	if at, problem := parsePurchaseDate(in.Date, now); problem != "" {
		fail(fieldDate, problem)
	} else {
		out.performedAt = at
	}
	currencyOK := slices.Contains(spendCurrencies(s.company.Currency), in.Currency)
	if minors, problem := parseAmount(in.Amount, in.Currency); problem != "" {
		fail(fieldAmount, problem)
	} else if currencyOK {
		out.value = pleo.Money{Currency: in.Currency, Minors: minors}
	}
	if !currencyOK {
		fail(fieldCurrency, "Choose a currency from the list.")
	}
	if utf8.RuneCountInString(in.Note) > maxNoteChars {
		fail(fieldNote, "The note must be at most "+strconv.Itoa(maxNoteChars)+" characters.")
	}
	out.note = in.Note
	receipt, problem := readReceipt(r)
	if problem != "" {
		fail(fieldReceipt, problem)
	}
	out.receipt = receipt
	return in, out, errs
}

// parsePurchaseDate reads a YYYY-MM-DD date. The purchase is placed at noon
// UTC that day, or now when that is still to come; a later day is refused.
func parsePurchaseDate(s string, now time.Time) (time.Time, string) {
	if s == "" {
		return time.Time{}, "Enter the date of the purchase."
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, "Enter a real date, for example " + now.UTC().Format(time.DateOnly) + "."
	}
	at := day.Add(12 * time.Hour)
	if day.After(now.UTC()) {
		return time.Time{}, "The date cannot be in the future."
	}
	if at.After(now) {
		at = now.UTC()
	}
	return at, ""
}

// maxAmountDigits bounds an amount's whole part, far below int64's range.
const maxAmountDigits = 12

// parseAmount reads a positive decimal amount of currency, such as "125",
// "125.5" or "125,50", into minor units.
func parseAmount(s, currency string) (int64, string) {
	example := "Enter the amount as a number, for example 125.50."
	if s == "" {
		return 0, "Enter the amount."
	}
	s = strings.ReplaceAll(s, " ", "")
	if strings.Count(s, ".")+strings.Count(s, ",") > 1 {
		return 0, example
	}
	whole, frac, _ := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || !allDigits(frac) || len(whole) > maxAmountDigits {
		return 0, example
	}
	digits := pleo.MinorUnitDigits(currency)
	if len(frac) > digits {
		if digits == 0 {
			return 0, "Enter a whole amount: " + currency + " has no decimals."
		}
		return 0, "Enter at most " + strconv.Itoa(digits) + " decimals."
	}
	minors, err := strconv.ParseInt(whole+frac+strings.Repeat("0", digits-len(frac)), 10, 64)
	if err != nil {
		return 0, example
	}
	if minors == 0 {
		return 0, "Enter an amount above zero."
	}
	return minors, ""
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// receiptTypes are the receipt file types the page accepts: the images
// and the PDF of Pleo's ReceiptMimeType.
var receiptTypes = []string{"application/pdf", "image/jpeg", "image/png", "image/heic", "image/heif", "image/gif"}

// readReceipt returns the form's receipt file, nil when none was chosen,
// or a problem with it.
func readReceipt(r *http.Request) (*uploadedReceipt, string) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["receipt"]) == 0 {
		return nil, ""
	}
	files := r.MultipartForm.File["receipt"]
	if len(files) > 1 {
		return nil, "Choose one receipt file."
	}
	fh := files[0]
	if fh.Filename == "" && fh.Size == 0 {
		return nil, "" // the browser's empty file part: no file chosen
	}
	if fh.Size > MaxReceiptBytes {
		return nil, "The receipt is larger than " + httpx.ByteSize(MaxReceiptBytes) + ". Choose a smaller file."
	}
	if fh.Size == 0 {
		return nil, "The receipt file is empty. Choose another file."
	}
	content, err := readPart(fh)
	if err != nil {
		return nil, "The receipt could not be read. Choose the file again."
	}
	contentType := receiptContentType(fh.Header.Get("Content-Type"), content)
	if contentType == "" {
		return nil, "The receipt must be a photo (JPEG, PNG, HEIC or GIF) or a PDF."
	}
	return &uploadedReceipt{contentType: contentType, content: content}, ""
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	_, err = io.Copy(&buf, io.LimitReader(f, MaxReceiptBytes+1))
	return buf.Bytes(), err
}

// receiptContentType is the receipt's media type: what its bytes are, when
// recognisable, else (HEIC, which is not sniffed) what the browser
// declared; "" when that is not one of receiptTypes.
func receiptContentType(declared string, content []byte) string {
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(content))
	if slices.Contains(receiptTypes, sniffed) {
		return sniffed
	}
	if sniffed != "application/octet-stream" {
		return "" // recognisably something else, whatever the name says
	}
	if t := pleo.ReceiptMimeType(declared); slices.Contains(receiptTypes, t) {
		return t
	}
	return ""
}

// reviewLabels name the review statuses in the review forms.
var reviewLabels = map[string]string{
	pleo.ReviewOK:                     "OK",
	pleo.ReviewNotOK:                  "Not OK",
	pleo.ReviewWaitingForExpenseOwner: "Ask the expense owner",
	pleo.ReviewWaitingForReviewer:     "Pass to a reviewer",
	pleo.ReviewWaitingForCompany:      "Pass to the company's reviewer",
	pleo.ReviewWaitingForTeam:         "Pass to the team's reviewer",
	pleo.ReviewWaitingForTag:          "Pass to the tag's reviewer",
	pleo.ReviewNotRequired:            "No review needed",
}

// reviewDecisions lead a review form's options, in this order.
var reviewDecisions = []string{pleo.ReviewOK, pleo.ReviewNotOK, pleo.ReviewWaitingForExpenseOwner}

// reviewOptions are a review form's options for an entry in review status
// current: a leading empty "choose" option, then the moves the spend
// package allows from current, decisions first. None when there is no move.
func reviewOptions(current string) []view.OptionView {
	moves := spend.ReviewMoves(current)
	if len(moves) == 0 {
		return nil
	}
	slices.SortStableFunc(moves, func(a, b string) int {
		ia, ib := slices.Index(reviewDecisions, a), slices.Index(reviewDecisions, b)
		if ia < 0 {
			ia = len(reviewDecisions)
		}
		if ib < 0 {
			ib = len(reviewDecisions)
		}
		return ia - ib
	})
	out := []view.OptionView{{Value: "", Label: "Choose…", Selected: true}}
	for _, m := range moves {
		label, ok := reviewLabels[m]
		if !ok {
			label = m
		}
		out = append(out, view.OptionView{Value: m, Label: label})
	}
	return out
}
