package control

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// generateWriteTimeout is how long a generation's answer may take to write.
const generateWriteTimeout = 10 * time.Minute

// generateRequest is the body of POST /_emulator/companies/{id}/generate.
type generateRequest struct {
	Count *int    `json:"count"`
	Seed  *uint64 `json:"seed"`
	// Until is the day (YYYY-MM-DD) the entries lead up to; default: today
	// by the emulator's clock.
	Until string `json:"until"`
}

// generated is the answer of a generation.
type generated struct {
	CompanyID        string  `json:"company_id"`
	Created          int     `json:"created"`
	Seed             uint64  `json:"seed"`
	From             string  `json:"from"`  // the first day entries may fall on
	Until            string  `json:"until"` // entries fall before this day
	DurationMS       float64 `json:"duration_ms"`
	EntriesPerSecond float64 `json:"entries_per_second"`
}

// generateEntries answers POST /_emulator/companies/{id}/generate: it writes
// count accounting entries (1..seed.MaxGenerateCount) with their receipts
// for the company, deterministically from seed (default
// seed.DefaultGenerateSeed), in one transaction; other writes wait for it.
// 201 with how many were made and how long it took; 400 for a bad body;
// 404 for an unknown company; 409 when the seed was used for the company
// before.
func (c *Control) generateEntries(w http.ResponseWriter, r *http.Request) {
	companyID := strings.ToLower(chi.URLParam(r, "id"))
	var req generateRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Count == nil || *req.Count < 1 || *req.Count > seed.MaxGenerateCount {
		fail(w, http.StatusBadRequest, fmt.Sprintf("count must be a whole number from 1 to %d", seed.MaxGenerateCount))
		return
	}
	opt := seed.GenerateOptions{Count: *req.Count, Seed: seed.DefaultGenerateSeed, Until: seed.AnchorDay(c.Clock.Now())}
	if req.Seed != nil {
		opt.Seed = *req.Seed
	}
	if req.Until != "" {
		day, err := time.Parse(time.DateOnly, req.Until)
		if err != nil {
			fail(w, http.StatusBadRequest, fmt.Sprintf("until must be a day such as 2026-01-31, not %q", req.Until))
			return
		}
		opt.Until = day
	}
	// On a busy machine a large generation outlasts the server's write
	// timeout; this answer waits for it (the connection's other limits stay).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(generateWriteTimeout))
	start := time.Now()
	err := c.Store.Write(r.Context(), func(tx *store.Tx) error { return seed.Generate(r.Context(), tx, companyID, opt) })
	elapsed := time.Since(start)
	switch {
	case errors.Is(err, seed.ErrAlreadyGenerated):
		fail(w, http.StatusConflict, fmt.Sprintf("seed %d was already used for company %s: choose another seed", opt.Seed, companyID))
		return
	case err != nil:
		c.storeFail(w, r, "company "+companyID, err)
		return
	}
	writeJSON(w, http.StatusCreated, generated{CompanyID: companyID, Created: opt.Count, Seed: opt.Seed,
		From: opt.Until.Add(-seed.GenerateWindow(opt.Count)).Format(time.DateOnly), Until: opt.Until.Format(time.DateOnly),
		DurationMS: float64(elapsed.Microseconds()) / 1000, EntriesPerSecond: float64(opt.Count) / elapsed.Seconds()})
}
