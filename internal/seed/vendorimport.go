package seed

import (
	"fmt"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// vendorImportCSV is the file of the demo's finished vendor CSV import job:
// two good rows and, on line 4, a currency that is not an ISO 4217 code.
const vendorImportCSV = "name,externalId,code,defaultCurrency,country,registrationNumber\n" +
	"Kontorhuset ApS,ext-vendor-2001,V2001,DKK,DK,DK41234567\n" +
	"Trykkeriet A/S,ext-vendor-2002,V2002,DKK,DK,DK42345678\n" +
	"Fjordlys Catering,ext-vendor-2003,V2003,KRONER,DK,DK43456789\n"

// vendorImport writes one finished vendor CSV import job for spec's
// company, as a run of vendorImportCSV leaves it: COMPLETED, a vendor per
// good row, the bad row in its errors. The rows come from the importer
// itself (pleo.ParseVendorCSV), so the seed and a real run agree.
func (d *demo) vendorImport(spec companySpec) error {
	companyID := ID("company/" + spec.key)
	key := func(kind string, i int) string { return ID(fmt.Sprintf("%s/%s/%d", spec.key, kind, i)) }
	jobID := key("vendor-csv-import", 0)
	at := d.anchor.AddDate(0, 0, -2).Add(9 * time.Hour)
	parsed, err := pleo.ParseVendorCSV("leverandoerer.csv", []byte(vendorImportCSV), nil, spec.currency)
	if err != nil {
		return err
	}
	var succeeded, failed int32
	var rowErrors []pleo.CsvRowImportError
	for i, row := range parsed.Rows {
		if row.ErrCode != "" {
			failed++
			rowErrors = append(rowErrors, pleo.CsvRowImportError{ID: key("vendor-csv-import-error", i), CsvImportJobID: jobID,
				RowNumber: int32(row.Line), ErrorCode: row.ErrCode, ErrorMessage: row.ErrMessage, RawData: row.Raw, CreatedAt: at})
			continue
		}
		v := row.Vendor
		v.ID, v.CompanyID, v.State, v.CreatedAt, v.UpdatedAt = key("imported-vendor", i), companyID, "ACTIVE", at, at
		if err := d.tx.InsertVendor(d.ctx, v); err != nil {
			return err
		}
		succeeded++
	}
	total, skipped := int32(len(parsed.Rows)), int32(0)
	job := pleo.CsvImportJob{ID: jobID, CompanyID: companyID, Type: pleo.CsvImportTypeVendors, Status: pleo.CsvImportCompleted,
		OriginalFilename: "leverandoerer.csv", Metadata: map[string]any{"requestedBy": map[string]any{"email": AdminEmail}},
		ColumnNames: parsed.Columns, S3Key: "uploads/" + companyID + "/vendors-" + jobID + ".csv",
		RowsTotal: &total, RowsSucceeded: &succeeded, RowsFailed: &failed, RowsSkipped: &skipped, CreatedAt: at, UpdatedAt: at}
	if err := d.tx.InsertCsvImportJob(d.ctx, job, []byte(vendorImportCSV)); err != nil {
		return err
	}
	for _, e := range rowErrors {
		if err := d.tx.InsertCsvRowImportError(d.ctx, e); err != nil {
			return err
		}
	}
	return nil
}
