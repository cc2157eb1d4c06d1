package webhooks

import (
	"context"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// The customer actions that fire events, as a person does them in the Pleo
// app. The control API, the CLI and the webhooks page all call these.

// Export creates what a click on Export in Pleo creates for companyID: a
// pending, interactive export job of every entry ready for export, and its
// v1.export-job.created event in the same transaction. employeeID (may be
// nil) is the job's createdBy. Errors are the store's (pleo.ErrNothingToExport,
// pleo.ErrExportInProgress, store.ErrNotFound for an unknown company).
func (d *Dispatcher) Export(ctx context.Context, companyID string, employeeID *string) (pleo.ExportJob, string, error) {
	interactive := true
	job, eventID, err := d.store.CreateExportJobByCustomer(ctx, pleo.CreateExportJob{CompanyID: companyID,
		EmployeeID: employeeID, IsInteractive: &interactive}, d.clock.Now())
	if err == nil {
		d.Wake()
	}
	return job, eventID, err
}

// CreateVendor creates a vendor as a person does in Pleo: without an
// externalId, so it is a DRAFT not yet known to the ERP, and its
// v1.vendor.created event in the same transaction.
func (d *Dispatcher) CreateVendor(ctx context.Context, v pleo.Vendor) (pleo.Vendor, string, error) {
	v.ExternalID, v.Code, v.AccountingSystem = "", "", ""
	v, eventID, err := d.store.CreateVendorByCustomer(ctx, v, d.clock.Now())
	if err == nil {
		d.Wake()
	}
	return v, eventID, err
}
