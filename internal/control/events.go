package control

import (
	"errors"
	"net/http"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks/events"
)

// eventRequest is the body of POST /_emulator/events: a customer action
// that fires a webhook event.
type eventRequest struct {
	Type       string       `json:"type"`
	CompanyID  string       `json:"company_id"`
	EmployeeID string       `json:"employee_id,omitempty"` // the export job's createdBy
	Vendor     *vendorInput `json:"vendor,omitempty"`
}

// vendorInput is the vendor a person creates in Pleo.
type vendorInput struct {
	Name                  string `json:"name"`
	Country               string `json:"country,omitempty"`
	DefaultCurrency       string `json:"defaultCurrency"`
	RegistrationNumber    string `json:"registrationNumber,omitempty"`
	TaxRegistrationNumber string `json:"taxRegistrationNumber,omitempty"`
}

// eventResponse is the answer: the event's ID and the resource created.
type eventResponse struct {
	EventID   string          `json:"event_id"`
	Type      string          `json:"type"`
	ExportJob *pleo.ExportJob `json:"export_job,omitempty"`
	Vendor    *pleo.Vendor    `json:"vendor,omitempty"`
}

// createEvent serves POST /_emulator/events: 201 with the created export
// job or vendor and the event's ID. The deliveries are queued in the same
// transaction; the answer does not wait for them.
func (c *Control) createEvent(w http.ResponseWriter, r *http.Request) {
	var req eventRequest
	if !decode(w, r, &req) {
		return
	}
	if !oauth.IsUUID(req.CompanyID) {
		fail(w, http.StatusBadRequest, "company_id must be a company's UUID")
		return
	}
	company := strings.ToLower(req.CompanyID)
	switch req.Type {
	case events.ExportJobCreated, events.ExportJobCreatedDeprecated:
		if req.Vendor != nil {
			fail(w, http.StatusBadRequest, "vendor is only for v1.vendor.created")
			return
		}
		var employee *string
		if req.EmployeeID != "" {
			if !oauth.IsUUID(req.EmployeeID) {
				fail(w, http.StatusBadRequest, "employee_id must be a UUID")
				return
			}
			e := strings.ToLower(req.EmployeeID)
			employee = &e
		}
		job, eventID, err := c.Webhooks.Export(r.Context(), company, employee)
		if err != nil {
			c.exportFail(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, eventResponse{EventID: eventID, Type: events.ExportJobCreated, ExportJob: &job})
	case events.VendorCreated:
		if req.Vendor == nil || strings.TrimSpace(req.Vendor.Name) == "" {
			fail(w, http.StatusBadRequest, "vendor.name is required")
			return
		}
		if req.EmployeeID != "" {
			fail(w, http.StatusBadRequest, "employee_id is only for v1.export-job.created")
			return
		}
		in := req.Vendor
		v, eventID, err := c.Webhooks.CreateVendor(r.Context(), pleo.Vendor{CompanyID: company, Name: strings.TrimSpace(in.Name),
			Country: in.Country, DefaultCurrency: in.DefaultCurrency, RegistrationNumber: in.RegistrationNumber,
			TaxRegistrationNumber: in.TaxRegistrationNumber})
		switch {
		case errors.Is(err, pleo.ErrInvalid):
			fail(w, http.StatusBadRequest, "vendor: "+strings.TrimPrefix(err.Error(), pleo.ErrInvalid.Error()+": "))
		case err != nil:
			c.storeFail(w, r, "vendor (or company "+company+")", err)
		default:
			writeJSON(w, http.StatusCreated, eventResponse{EventID: eventID, Type: events.VendorCreated, Vendor: &v})
		}
	default:
		fail(w, http.StatusBadRequest, "type must be one of "+strings.Join(events.Names(), ", "))
	}
}

// exportFail answers an export the store refused.
func (c *Control) exportFail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, pleo.ErrNothingToExport):
		fail(w, http.StatusConflict, "the company has no accounting entries ready for export")
	case errors.Is(err, pleo.ErrExportInProgress):
		fail(w, http.StatusConflict, "the company has an export job in progress")
	case errors.Is(err, store.ErrNotFound):
		fail(w, http.StatusNotFound, "company not found")
	default:
		c.storeFail(w, r, "export", err)
	}
}
