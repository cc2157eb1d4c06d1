package spend

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file holds the lifecycle of an entry: settle, review, edit and
// delete, and which moves each state allows. Pleo documents the states,
// not the moves between them; the moves are the emulator's choice and the
// README's fidelity table says so.

// Settle completes a PENDING entry: status COMPLETED, settledAt at (nil:
// now on the emulator's clock) and bookkeepingDate the settlement day. An
// entry that is not PENDING, is deleted or is being exported cannot settle
// (ErrLifecycle); an EXPORTED one goes back to NOT_EXPORTED, as an edit does.
func (s *Service) Settle(ctx context.Context, entryID string, at *time.Time) (pleo.AccountingEntry, error) {
	return s.move(ctx, entryID, func(r rules, e pleo.AccountingEntry) (pleo.AccountingEntry, error) {
		if err := editable(e); err != nil {
			return e, err
		}
		if e.Status != pleo.EntryPending {
			return e, fmt.Errorf("%w: only a PENDING entry settles, and entry %s is %s", ErrLifecycle, e.ID, e.Status)
		}
		settled := r.now
		if at != nil {
			settled = *at
		}
		e.Status = pleo.EntryCompleted
		if err := r.settle(&e, settled); err != nil {
			return e, err
		}
		if e.ExportStatus == pleo.ExportStatusExported {
			e.ExportStatus = pleo.ExportStatusNotExported
		}
		return e, nil
	}, nil)
}

// reviewerStates are the review statuses in which an entry waits for a reviewer.
var reviewerStates = []string{pleo.ReviewWaitingForReviewer, pleo.ReviewWaitingForCompany,
	pleo.ReviewWaitingForTeam, pleo.ReviewWaitingForTag}

// reviewMoves are the review statuses each review status may move to
// (emulator choice): an entry not yet reviewed goes to a reviewer, is
// reviewed, or needs no review; a reviewer passes it to another reviewer,
// decides OK or NOT_OK, or asks the expense owner for details; the owner
// answers back to a reviewer; a decision can be revised or reopened. No
// entry goes back to NOT_SET.
var reviewMoves = func() map[string][]string {
	decide := []string{pleo.ReviewOK, pleo.ReviewNotOK, pleo.ReviewWaitingForExpenseOwner}
	m := map[string][]string{
		pleo.ReviewNotSet:                 append(append([]string{pleo.ReviewNotRequired}, reviewerStates...), decide...),
		pleo.ReviewWaitingForExpenseOwner: reviewerStates,
		pleo.ReviewOK:                     append([]string{pleo.ReviewNotOK}, reviewerStates...),
		pleo.ReviewNotOK:                  append([]string{pleo.ReviewOK, pleo.ReviewWaitingForExpenseOwner}, reviewerStates...),
		pleo.ReviewNotRequired:            reviewerStates,
	}
	for _, waiting := range reviewerStates {
		m[waiting] = append(slices.DeleteFunc(slices.Clone(reviewerStates), func(s string) bool { return s == waiting }), decide...)
	}
	return m
}()

// ReviewMoves returns the review statuses an entry in review status from
// may move to, in Pleo's order.
func ReviewMoves(from string) []string {
	out := []string{}
	for _, to := range pleo.EntryReviewStatuses {
		if slices.Contains(reviewMoves[from], to) {
			out = append(out, to)
		}
	}
	return out
}

// Review moves entry entryID to reviewStatus (a pleo.FieldError unless it
// is a ReviewStatus). A move reviewMoves does not allow, or a deleted
// entry, is ErrLifecycle. Review does not touch the export status: it is
// not part of what an integration books.
func (s *Service) Review(ctx context.Context, entryID, reviewStatus string) (pleo.AccountingEntry, error) {
	if err := pleo.ValidateReviewStatus(reviewStatus); err != nil {
		return pleo.AccountingEntry{}, err
	}
	return s.move(ctx, entryID, func(_ rules, e pleo.AccountingEntry) (pleo.AccountingEntry, error) {
		if e.DeletedAt != nil {
			return e, fmt.Errorf("%w: entry %s is deleted", ErrLifecycle, e.ID)
		}
		if !slices.Contains(reviewMoves[e.ReviewStatus], reviewStatus) {
			allowed := ReviewMoves(e.ReviewStatus)
			return e, fmt.Errorf("%w: review status %s cannot move to %s (it may move to %s)", ErrLifecycle,
				e.ReviewStatus, reviewStatus, orNothing(allowed))
		}
		e.ReviewStatus = reviewStatus
		return e, nil
	}, nil)
}

// Delete deletes entry entryID: deletedAt is now, and the mock API shows
// it only with includeDeleted. Its export status stays (an integration
// that exported it must notice the deletion). A deleted entry, or one being
// exported, cannot be deleted (ErrLifecycle).
func (s *Service) Delete(ctx context.Context, entryID string) (pleo.AccountingEntry, error) {
	return s.move(ctx, entryID, func(r rules, e pleo.AccountingEntry) (pleo.AccountingEntry, error) {
		if err := editable(e); err != nil {
			return e, err
		}
		now := r.now
		e.DeletedAt = &now
		return e, nil
	}, nil)
}

// editable is the rule of every change of what an integration books
// (edit, settle, delete): not of a deleted entry, nor of one an export
// job holds (QUEUED or EXPORTING), whose job must finish first.
func editable(e pleo.AccountingEntry) error {
	if e.DeletedAt != nil {
		return fmt.Errorf("%w: entry %s is deleted", ErrLifecycle, e.ID)
	}
	if e.ExportStatus == pleo.ExportStatusQueued || e.ExportStatus == pleo.ExportStatusExporting {
		return fmt.Errorf("%w: entry %s is %s in an export job; let the job finish first", ErrLifecycle, e.ID, e.ExportStatus)
	}
	return nil
}

// edit applies change to e: each given field replaces e's, and fill checks
// the result as Create's. A new transactionValue or exchangeRate without a
// totalBillValue computes the bill again; a new employee without a team
// brings the employee's team.
func (r rules) edit(e pleo.AccountingEntry, in EntryChange) (pleo.AccountingEntry, error) {
	c := content{EmployeeID: e.EmployeeID, TeamID: e.TeamID, PerformedAt: e.PerformedAt,
		TransactionValue: e.TransactionValue, TotalBillValue: e.TotalBillValue, MerchantName: e.MerchantName,
		Supplier: e.Supplier, Note: e.Note, AccountID: e.AccountID, TaxCodeID: e.TaxCodeID, Tags: e.Tags}
	if in.EmployeeID != nil {
		c.EmployeeID, c.TeamID = *in.EmployeeID, ""
	}
	if in.TeamID != nil {
		c.TeamID = *in.TeamID
	}
	if in.PerformedAt != nil {
		c.PerformedAt = *in.PerformedAt
	}
	if in.TransactionValue != nil || in.ExchangeRate != nil {
		c.TotalBillValue = nil
		if in.TransactionValue != nil {
			c.TransactionValue = *in.TransactionValue
			if c.TransactionValue.Currency == "" || c.TransactionValue.Currency == e.TransactionValue.Currency {
				c.KeptRate = entryRate(e)
			}
		}
		if in.ExchangeRate != nil {
			c.ExchangeRate = *in.ExchangeRate
		}
	}
	if in.TotalBillValue != nil {
		bill := *in.TotalBillValue
		c.TotalBillValue = &bill
	}
	if c.TotalBillValue != nil {
		bill := *c.TotalBillValue // fill must not change the stored entry through the pointer
		c.TotalBillValue = &bill
	}
	for _, f := range []struct {
		from *string
		to   *string
	}{{in.MerchantName, &c.MerchantName}, {in.Note, &c.Note}, {in.AccountID, &c.AccountID}, {in.TaxCodeID, &c.TaxCodeID}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if in.Supplier != nil {
		c.Supplier = in.Supplier
	}
	if in.Tags != nil {
		c.Tags = *in.Tags
	}
	c.SplitItems, c.Attendees = in.SplitItems, in.Attendees
	if err := r.fill(&e, c); err != nil {
		return e, err
	}
	return e, nil
}

func orNothing(values []string) string {
	if len(values) == 0 {
		return "nothing"
	}
	return strings.Join(values, ", ")
}

// entryRate is the exchange rate e's own values imply (transactionValue ÷
// totalBillValue, in major units), or nil when e has no bill value.
func entryRate(e pleo.AccountingEntry) *big.Rat {
	if e.TotalBillValue == nil || e.TotalBillValue.Minors == 0 || e.TransactionValue.Minors == 0 {
		return nil
	}
	return new(big.Rat).Quo(pleo.Major(e.TransactionValue), pleo.Major(*e.TotalBillValue))
}
