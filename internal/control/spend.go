package control

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// This file is the customer's side of Pleo in the control API: creating
// accounting entries and moving them through their lifecycle (package
// spend). Every answer but an error is the entry as Pleo's AccountingEntryV1.
// Errors: 400 {"error", "field"} for a value that breaks a rule, 404 for an
// unknown company or entry, 409 for a move the entry's state forbids or a
// taken ID.

// MaxEntryBodyBytes bounds the body of an accounting entry create or edit,
// whose receipts come base64-encoded in the JSON; larger files go through
// POST /_emulator/accounting-entries/{id}/receipts.
const MaxEntryBodyBytes = 16 << 20

// isEntryWithReceipts reports whether r creates or edits an accounting
// entry: POST /_emulator/companies/{id}/accounting-entries or PATCH
// /_emulator/accounting-entries/{id}.
func isEntryWithReceipts(r *http.Request) bool {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	n := len(parts)
	switch r.Method {
	case http.MethodPost:
		return n >= 3 && parts[n-3] == "companies" && parts[n-1] == "accounting-entries"
	case http.MethodPatch:
		return n >= 2 && parts[n-2] == "accounting-entries"
	}
	return false
}

// entryBody is decode for the bodies of this file: up to
// MaxEntryBodyBytes, optional when optional is true.
func entryBody(w http.ResponseWriter, r *http.Request, dst any, optional bool) bool {
	return decodeJSON(w, r, dst, httpx.JSONOptions{Limit: MaxEntryBodyBytes, Strict: true, Optional: optional})
}

// createEntry answers POST /_emulator/companies/{id}/accounting-entries:
// the body is a spend.NewEntry (optional: an empty body is a card purchase
// with every default); 201 with the entry.
func (c *Control) createEntry(w http.ResponseWriter, r *http.Request) {
	var in spend.NewEntry
	if !entryBody(w, r, &in, true) {
		return
	}
	e, err := c.Spend.Create(r.Context(), strings.ToLower(chi.URLParam(r, "id")), in)
	if err != nil {
		c.spendFail(w, r, "company", err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

// settleEntry answers POST /_emulator/accounting-entries/{id}/settle: the
// optional body {"settledAt": RFC 3339 time} (default: the emulator's now).
func (c *Control) settleEntry(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SettledAt *time.Time `json:"settledAt"`
	}
	if !decodeJSON(w, r, &in, httpx.JSONOptions{Limit: MaxBodyBytes, Strict: true, Optional: true}) {
		return
	}
	e, err := c.Spend.Settle(r.Context(), chi.URLParam(r, "id"), in.SettledAt)
	c.answerEntry(w, r, e, err)
}

// reviewEntry answers POST /_emulator/accounting-entries/{id}/review with
// the body {"reviewStatus": ReviewStatus}.
func (c *Control) reviewEntry(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ReviewStatus string `json:"reviewStatus"`
	}
	if !decode(w, r, &in) {
		return
	}
	e, err := c.Spend.Review(r.Context(), chi.URLParam(r, "id"), in.ReviewStatus)
	c.answerEntry(w, r, e, err)
}

// editEntry answers PATCH /_emulator/accounting-entries/{id} with a
// spend.EntryChange body.
func (c *Control) editEntry(w http.ResponseWriter, r *http.Request) {
	var in spend.EntryChange
	if !entryBody(w, r, &in, false) {
		return
	}
	e, err := c.Spend.Edit(r.Context(), chi.URLParam(r, "id"), in)
	c.answerEntry(w, r, e, err)
}

// deleteEntry answers DELETE /_emulator/accounting-entries/{id}: 200 with
// the entry, its deletedAt set.
func (c *Control) deleteEntry(w http.ResponseWriter, r *http.Request) {
	e, err := c.Spend.Delete(r.Context(), chi.URLParam(r, "id"))
	c.answerEntry(w, r, e, err)
}

// answerEntry writes 200 with e, or err as spendFail does.
func (c *Control) answerEntry(w http.ResponseWriter, r *http.Request, e pleo.AccountingEntry, err error) {
	if err != nil {
		c.spendFail(w, r, "accounting entry", err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// spendFail answers an error of package spend; notFound names what a
// store.ErrNotFound is about.
func (c *Control) spendFail(w http.ResponseWriter, r *http.Request, notFound string, err error) {
	var fe *pleo.FieldError
	switch {
	case errors.As(err, &fe):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fe.Field + " " + fe.Message, "field": fe.Field})
	case errors.Is(err, spend.ErrLifecycle):
		fail(w, http.StatusConflict, err.Error())
	case errors.Is(err, store.ErrConflict):
		fail(w, http.StatusConflict, "an accounting entry with this id already exists")
	default:
		c.storeFail(w, r, notFound, err)
	}
}
