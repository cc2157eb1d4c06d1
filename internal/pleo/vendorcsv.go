package pleo

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads a vendor CSV file into vendors: the emulator's importer
// (Pleo does not document its column names; these are emulator choices,
// listed in the README).
//
// The first record is the header. Columns are matched by name, ignoring
// case, spaces and punctuation, to the fields of VendorCreateRequest:
//
//	name                   name, vendor name, supplier name (required column)
//	externalId             external id
//	code                   code, vendor code, Konto
//	defaultCurrency        default currency, currency (the company's currency when absent or empty)
//	country                country, country code
//	registrationNumber     registration number
//	taxRegistrationNumber  tax registration number, VAT number, USt-IdNr.
//
// Other columns are ignored. Values are trimmed; currency and country codes
// are read in any case. Every data record is one row: a row whose values
// are all empty is skipped, a row that breaks a rule becomes a row error
// (with the line it starts on), and the other rows become vendors.

// CsvFileError is a file the importer refuses as a whole; Code is a
// CsvImportErrorTypeV1 value.
type CsvFileError struct{ Code, Message string }

func (e *CsvFileError) Error() string { return e.Code + ": " + e.Message }

// VendorCSVRow is one data record of a vendor CSV file.
type VendorCSVRow struct {
	Line    int    // the file line the record starts on; the header is line 1
	Raw     string // the record's values, each quoted, comma-separated
	Vendor  Vendor // the vendor the row describes (CompanyID unset), when it has no error
	Skipped bool   // every value is empty
	// ErrCode and ErrMessage say why the row cannot be imported ("" when it can).
	ErrCode, ErrMessage string
}

// VendorCSV is a vendor CSV file read by ParseVendorCSV.
type VendorCSV struct {
	Columns []string // the header's column names, trimmed
	Rows    []VendorCSVRow
}

// vendorColumns maps normalised header names (normaliseColumn) to the
// vendor fields they fill.
var vendorColumns = map[string]string{
	"name": "name", "vendorname": "name", "suppliername": "name",
	"externalid": "externalId",
	"code":       "code", "vendorcode": "code", "konto": "code",
	"defaultcurrency": "defaultCurrency", "currency": "defaultCurrency",
	"country": "country", "countrycode": "country",
	"registrationnumber":    "registrationNumber",
	"taxregistrationnumber": "taxRegistrationNumber", "vatnumber": "taxRegistrationNumber", "ustidnr": "taxRegistrationNumber",
}

// normaliseColumn lowers a header name and drops everything but letters
// and digits: "USt-IdNr." becomes "ustidnr".
func normaliseColumn(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkCSVFile refuses a file the importer cannot read at all: a file name
// not ending in .csv, an empty file, a binary file (NUL bytes) or text that
// is not UTF-8. It returns the file without a UTF-8 byte order mark.
func checkCSVFile(filename string, file []byte) ([]byte, error) {
	if !strings.HasSuffix(strings.ToLower(filename), ".csv") {
		return nil, &CsvFileError{CsvErrorFileExtensionNotSupported, fmt.Sprintf("The file %q does not end in .csv.", filename)}
	}
	file = bytes.TrimPrefix(file, []byte("\uFEFF"))
	if len(bytes.TrimSpace(file)) == 0 {
		return nil, &CsvFileError{CsvErrorFileTooSmall, "The uploaded file is empty."}
	}
	if bytes.IndexByte(file, 0) >= 0 {
		return nil, &CsvFileError{CsvErrorFileTypeNotSupported, "The uploaded file is not a text file."}
	}
	if !utf8.Valid(file) {
		return nil, &CsvFileError{CsvErrorInvalidFileFormat, "The uploaded file is not UTF-8 text; save it as CSV (UTF-8)."}
	}
	return file, nil
}

// guessDelimiter picks the delimiter of a file without a csvFormat: the
// one of , ; tab and | that occurs most often, outside quotes, in its first
// line (a comma when none does), as Pleo says its parser guesses.
func guessDelimiter(file []byte) rune {
	line, _, _ := bytes.Cut(file, []byte("\n"))
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(line) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && strings.ContainsRune(",;\t|", r):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t', '|'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// ReadVendorCSVHeader returns the column names of a vendor CSV file's
// header, or a *CsvFileError when the file cannot be read.
func ReadVendorCSVHeader(filename string, file []byte, format *CsvFormat) ([]string, error) {
	file, err := checkCSVFile(filename, file)
	if err != nil {
		return nil, err
	}
	_, header, err := readHeader(file, format)
	return header, err
}

// readHeader opens a CSV reader on file and reads the header record.
func readHeader(file []byte, format *CsvFormat) (*csv.Reader, []string, error) {
	r := csv.NewReader(bytes.NewReader(file))
	r.Comma = guessDelimiter(file)
	if format != nil {
		r.Comma, _ = utf8.DecodeRuneInString(format.Delimiter)
	}
	r.FieldsPerRecord = -1 // rows with the wrong number of values are row errors, not file errors
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return nil, nil, &CsvFileError{CsvErrorInvalidFileFormat, "The header line cannot be read: " + err.Error() + "."}
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	return r, header, nil
}

// ParseVendorCSV reads a vendor CSV file (see the file comment). A file
// that cannot be read at all, or whose header lacks a name column or names
// a vendor field twice, is a *CsvFileError; everything else is per row.
// defaultCurrency fills rows without a currency.
func ParseVendorCSV(filename string, file []byte, format *CsvFormat, defaultCurrency string) (VendorCSV, error) {
	var out VendorCSV
	file, err := checkCSVFile(filename, file)
	if err != nil {
		return out, err
	}
	r, header, err := readHeader(file, format)
	if err != nil {
		return out, err
	}
	out.Columns = header
	fieldOf := make([]string, len(header)) // vendor field of each column, "" when ignored
	seen := map[string]string{}
	for i, col := range header {
		field := vendorColumns[normaliseColumn(col)]
		if field == "" {
			continue
		}
		if other, dup := seen[field]; dup {
			return out, &CsvFileError{CsvErrorInvalidFileFormat,
				fmt.Sprintf("The columns %q and %q both give the vendor's %s.", other, col, field)}
		}
		seen[field], fieldOf[i] = col, field
	}
	if _, ok := seen["name"]; !ok {
		return out, &CsvFileError{CsvErrorInvalidFileFormat,
			fmt.Sprintf("The header has no name column (it has: %s).", strings.Join(header, ", "))}
	}
	lines := strings.Split(string(file), "\n")
	for {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			raw := ""
			if n := parseErr.StartLine; n >= 1 && n <= len(lines) {
				raw = strings.TrimSuffix(lines[n-1], "\r")
			}
			out.Rows = append(out.Rows, VendorCSVRow{Line: parseErr.StartLine, Raw: raw,
				ErrCode: "INVALID_ROW", ErrMessage: "The row cannot be read as CSV: " + parseErr.Err.Error() + "."})
			continue
		}
		if err != nil {
			return out, &CsvFileError{CsvErrorProcessingFailed, "The file cannot be read: " + err.Error() + "."}
		}
		line, _ := r.FieldPos(0)
		out.Rows = append(out.Rows, vendorRow(line, record, header, fieldOf, defaultCurrency))
	}
	return out, nil
}

// vendorRow turns one record into a row: skipped, an error, or a vendor.
func vendorRow(line int, record, header, fieldOf []string, defaultCurrency string) VendorCSVRow {
	row := VendorCSVRow{Line: line, Raw: quoteRecord(record)}
	blank := true
	for _, v := range record {
		if strings.TrimSpace(v) != "" {
			blank = false
		}
	}
	switch {
	case blank:
		row.Skipped = true
		return row
	case len(record) != len(header):
		row.ErrCode = "INVALID_COLUMN_COUNT"
		row.ErrMessage = fmt.Sprintf("The row has %d values; the header has %d columns.", len(record), len(header))
		return row
	}
	values := map[string]string{}
	for i, v := range record {
		if fieldOf[i] != "" {
			values[fieldOf[i]] = strings.TrimSpace(v)
		}
	}
	v := Vendor{Name: values["name"], ExternalID: values["externalId"], Code: values["code"],
		DefaultCurrency: strings.ToUpper(values["defaultCurrency"]), Country: strings.ToUpper(values["country"]),
		RegistrationNumber: values["registrationNumber"], TaxRegistrationNumber: values["taxRegistrationNumber"]}
	if v.DefaultCurrency == "" {
		v.DefaultCurrency = defaultCurrency
	}
	if err := v.Validate(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			row.ErrCode = "INVALID_" + upperSnake(fe.Field)
			row.ErrMessage = fmt.Sprintf("Field '%s' %s.", fe.Field, fe.Message)
			return row
		}
		row.ErrCode, row.ErrMessage = "INVALID_ROW", err.Error()
		return row
	}
	row.Vendor = v
	return row
}

// quoteRecord writes a record's values each in double quotes (a quote
// inside doubled), comma-separated: the rawData of a row error, as in
// Pleo's example "70001","Müller GmbH","INVALID".
func quoteRecord(record []string) string {
	quoted := make([]string, len(record))
	for i, v := range record {
		quoted[i] = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
	}
	return strings.Join(quoted, ",")
}
