package pleo_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

func readVendorFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vendors", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseVendorCSVAllGood(t *testing.T) {
	t.Parallel()
	got, err := pleo.ParseVendorCSV("all-good.csv", readVendorFile(t, "all-good.csv"), nil, "DKK")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Columns) != 7 || got.Columns[0] != "name" {
		t.Errorf("columns %q", got.Columns)
	}
	if len(got.Rows) != 4 {
		t.Fatalf("%d rows, want 4: %+v", len(got.Rows), got.Rows)
	}
	for i, row := range got.Rows {
		if row.ErrCode != "" || row.Skipped || row.Line != i+2 {
			t.Errorf("row %d: %+v", i, row)
		}
	}
	quoted := got.Rows[1].Vendor
	if quoted.Name != "Papir & Co, Aarhus" || quoted.ExternalID != "erp-5002" || quoted.Code != "V5002" || quoted.Country != "DK" {
		t.Errorf("quoted row: %+v", quoted)
	}
	lower := got.Rows[3].Vendor // currency and country in lower case, no externalId
	if lower.DefaultCurrency != "EUR" || lower.Country != "DE" || lower.ExternalID != "" || lower.TaxRegistrationNumber != "DE123456789" {
		t.Errorf("lower-case codes: %+v", lower)
	}
}

func TestParseVendorCSVMixedRows(t *testing.T) {
	t.Parallel()
	// Semicolons (guessed), CRLF line ends, DATEV-style column names.
	got, err := pleo.ParseVendorCSV("mixed.CSV", readVendorFile(t, "mixed-with-bad-rows.csv"), nil, "DKK")
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		line    int
		code    string
		skipped bool
		name    string
	}
	wants := []want{
		{2, "", false, "Müller GmbH"},
		{3, "INVALID_NAME", false, ""},
		{4, "", false, "Hansen Kontorartikler"},
		{5, "INVALID_DEFAULT_CURRENCY", false, ""},
		{6, "INVALID_COLUMN_COUNT", false, ""},
		{7, "", true, ""},
		{8, "", false, "Hansen Kontorartikler"}, // a duplicate: the store refuses it, not the parser
		{9, "", false, `Smith "The Printer" Ltd`},
	}
	if len(got.Rows) != len(wants) {
		t.Fatalf("%d rows, want %d: %+v", len(got.Rows), len(wants), got.Rows)
	}
	for i, w := range wants {
		row := got.Rows[i]
		if row.Line != w.line || row.ErrCode != w.code || row.Skipped != w.skipped || row.Vendor.Name != w.name {
			t.Errorf("row %d: %+v, want %+v", i, row, w)
		}
		if row.ErrCode != "" && row.ErrMessage == "" {
			t.Errorf("row %d: error without a message", i)
		}
	}
	if got.Rows[0].Vendor.Code != "70001" || got.Rows[0].Vendor.TaxRegistrationNumber != "DE811111111" || got.Rows[0].Vendor.DefaultCurrency != "EUR" {
		t.Errorf("Konto and USt-IdNr. columns: %+v", got.Rows[0].Vendor)
	}
	if raw := got.Rows[4].Raw; raw != `"70005","Too Few Values"` {
		t.Errorf("rawData %s", raw)
	}
	if raw := got.Rows[7].Raw; raw != `"70007","Smith ""The Printer"" Ltd","GB123456789","GBP","GB"` {
		t.Errorf("rawData %s", raw)
	}
}

func TestParseVendorCSVRefusesFiles(t *testing.T) {
	t.Parallel()
	semicolon, tab := ";", "\t"
	yes, empty := true, ""
	cases := []struct {
		name, filename string
		file           []byte
		format         *pleo.CsvFormat
		code, message  string
	}{
		{"latin-1", "v.csv", readVendorFile(t, "wrong-encoding-latin1.csv"), nil, pleo.CsvErrorInvalidFileFormat, "not UTF-8"},
		{"wrong header", "v.csv", readVendorFile(t, "wrong-header.csv"), nil, pleo.CsvErrorInvalidFileFormat, "no name column"},
		{"extension", "vendors.xlsx", readVendorFile(t, "all-good.csv"), nil, pleo.CsvErrorFileExtensionNotSupported, ".csv"},
		{"empty", "v.csv", []byte("\uFEFF \n"), nil, pleo.CsvErrorFileTooSmall, "empty"},
		{"binary", "v.csv", []byte("name\nA\x00B\n"), nil, pleo.CsvErrorFileTypeNotSupported, "not a text file"},
		{"two name columns", "v.csv", []byte("name,Vendor Name\nA,B\n"), nil, pleo.CsvErrorInvalidFileFormat, "both give"},
		{"bad header quote", "v.csv", []byte("\"name\nA\n"), nil, pleo.CsvErrorInvalidFileFormat, "header"},
		// A declared delimiter wins over the guess: the whole line is one column.
		{"declared delimiter", "v.csv", []byte("name,code\nA,B\n"),
			&pleo.CsvFormat{Delimiter: tab, IgnoreEmptyLines: &yes, RecordSeparator: &empty, SkipHeaderRecord: &yes},
			pleo.CsvErrorInvalidFileFormat, "no name column"},
		{"semicolon declared", "v.csv", []byte("name,code\nA,B\n"),
			&pleo.CsvFormat{Delimiter: semicolon, IgnoreEmptyLines: &yes, RecordSeparator: &empty, SkipHeaderRecord: &yes},
			pleo.CsvErrorInvalidFileFormat, "no name column"},
	}
	for _, c := range cases {
		_, err := pleo.ParseVendorCSV(c.filename, c.file, c.format, "DKK")
		var fe *pleo.CsvFileError
		if !errors.As(err, &fe) || fe.Code != c.code || !strings.Contains(fe.Message, c.message) {
			t.Errorf("%s: %v, want %s mentioning %q", c.name, err, c.code, c.message)
		}
	}
}

func TestParseVendorCSVBadQuoteIsOneRowError(t *testing.T) {
	t.Parallel()
	file := []byte("name,code\nGood One,1\nBad \"quote,2\nGood Two,3\n")
	got, err := pleo.ParseVendorCSV("v.csv", file, nil, "DKK")
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, row := range got.Rows {
		if row.ErrCode == "" {
			lines = append(lines, row.Line)
		} else if row.ErrCode != "INVALID_ROW" || row.Line != 3 || row.Raw != `Bad "quote,2` {
			t.Errorf("bad row %+v", row)
		}
	}
	if !slices.Equal(lines, []int{2, 4}) {
		t.Errorf("good rows on lines %v, want [2 4]", lines)
	}
}

func TestCsvFormatRules(t *testing.T) {
	t.Parallel()
	yes, empty, crlf, cr := true, "", "\r\n", "\r"
	ok := pleo.CsvFormat{Delimiter: ",", IgnoreEmptyLines: &yes, RecordSeparator: &empty, SkipHeaderRecord: &yes}
	checkRules(t, []ruleCase{
		{"valid", ok.Validate(), "", ""},
		{"crlf and quote", with(ok, func(f *pleo.CsvFormat) { f.RecordSeparator, f.QuoteCharacter = &crlf, `"` }).Validate(), "", ""},
		{"no ignoreEmptyLines", with(ok, func(f *pleo.CsvFormat) { f.IgnoreEmptyLines = nil }).Validate(), "csvFormat.ignoreEmptyLines", "is required"},
		{"no recordSeparator", with(ok, func(f *pleo.CsvFormat) { f.RecordSeparator = nil }).Validate(), "csvFormat.recordSeparator", "is required"},
		{"no skipHeaderRecord", with(ok, func(f *pleo.CsvFormat) { f.SkipHeaderRecord = nil }).Validate(), "csvFormat.skipHeaderRecord", "is required"},
		{"two-character delimiter", with(ok, func(f *pleo.CsvFormat) { f.Delimiter = ";;" }).Validate(), "csvFormat.delimiter",
			`must be one character other than a quote or a line break, not ";;"`},
		{"quote delimiter", with(ok, func(f *pleo.CsvFormat) { f.Delimiter = `"` }).Validate(), "csvFormat.delimiter",
			`must be one character other than a quote or a line break, not "\""`},
		{"single quote", with(ok, func(f *pleo.CsvFormat) { f.QuoteCharacter = "'" }).Validate(), "csvFormat.quoteCharacter",
			`must be "\"" (the only quote character the emulator reads), not "'"`},
		{"cr separator", with(ok, func(f *pleo.CsvFormat) { f.RecordSeparator = &cr }).Validate(), "csvFormat.recordSeparator",
			`must be "", "\n" or "\r\n", not "\r"`},
	})
}

func TestCsvImportStatusChanges(t *testing.T) {
	t.Parallel()
	allowed := [][2]string{
		{"UPLOADED", "READY_FOR_IMPORT"}, {"READY_FOR_IMPORT", "QUEUED"}, {"UPLOADED", "QUEUED"},
		{"UPLOAD_INITIATED", "FAILED"}, {"QUEUED", "FAILED"}, {"COMPLETED", "COMPLETED"},
	}
	for _, c := range allowed {
		if err := pleo.CheckCsvImportStatusChange(c[0], c[1]); err != nil {
			t.Errorf("%s -> %s: %v", c[0], c[1], err)
		}
	}
	refused := [][2]string{
		{"UPLOAD_INITIATED", "UPLOADED"}, {"UPLOADED", "COMPLETED"}, {"QUEUED", "PROCESSING"},
		{"COMPLETED", "FAILED"}, {"FAILED", "QUEUED"}, {"READY_FOR_IMPORT", "UPLOADED"},
	}
	for _, c := range refused {
		if err := pleo.CheckCsvImportStatusChange(c[0], c[1]); !errors.Is(err, pleo.ErrCsvImportStatus) {
			t.Errorf("%s -> %s: %v, want ErrCsvImportStatus", c[0], c[1], err)
		}
	}
	for _, s := range []string{"UPLOAD_INITIATED", "PROCESSING", "COMPLETED", "FAILED"} {
		if err := pleo.CheckCsvImportRunnable(s); !errors.Is(err, pleo.ErrCsvImportStatus) {
			t.Errorf("run in %s: %v", s, err)
		}
	}
	update := pleo.CsvImportStatusUpdate{Status: "QUEUED", ErrorMessage: "x"}
	checkRules(t, []ruleCase{
		{"error with QUEUED", update.Validate(), "errorType", "and errorMessage may only be given with status FAILED"},
		{"unknown status", pleo.CsvImportStatusUpdate{Status: "DONE"}.Validate(), "status",
			`must be one of UPLOAD_INITIATED, UPLOADED, READY_FOR_IMPORT, QUEUED, PROCESSING, COMPLETED, FAILED, not "DONE"`},
		{"failed with type", pleo.CsvImportStatusUpdate{Status: "FAILED", ErrorType: "FILE_TOO_LARGE", ErrorMessage: "big"}.Validate(), "", ""},
	})
}
