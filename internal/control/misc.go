package control

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func (c *Control) listFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"faults": c.Faults.List()})
}

func (c *Control) addFault(w http.ResponseWriter, r *http.Request) {
	var f faults.Fault
	if !decode(w, r, &f) {
		return
	}
	added, err := c.Faults.Add(f)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, added)
}

func (c *Control) clearFaults(w http.ResponseWriter, _ *http.Request) {
	c.Faults.Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (c *Control) removeFault(w http.ResponseWriter, r *http.Request) {
	if !c.Faults.Remove(chi.URLParam(r, "id")) {
		fail(w, http.StatusNotFound, "fault not found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// reset serves POST /_emulator/reset: the seed and config-file state come
// back, queued faults (webhook faults too) are cleared and the clock follows
// real time again.
func (c *Control) reset(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if err := c.Reset(r.Context()); err != nil {
		c.storeFail(w, r, "reset", err)
		return
	}
	c.Faults.Clear()
	c.Webhooks.Faults().Clear()
	c.Clock.Reset()
	c.Auth.ClearLoginThrottle()
	writeJSON(w, http.StatusOK, map[string]any{"status": "reset", "duration_ms": float64(time.Since(start).Microseconds()) / 1000})
}

func (c *Control) listRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			fail(w, http.StatusBadRequest, "limit must be between 1 and 1000")
			return
		}
		limit = n
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": c.Requests.Entries(q.Get("client_id"), q.Get("path"), limit)})
}

func (c *Control) clearRequests(w http.ResponseWriter, _ *http.Request) {
	c.Requests.Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (c *Control) listKeys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": c.Auth.Keys().JWKS()})
}

// rotateKey makes a new signing key active; the old one stays in the JWKS
// (and keeps verifying) until removed.
func (c *Control) rotateKey(w http.ResponseWriter, r *http.Request) {
	kid, err := c.Auth.Keys().Rotate(r.Context())
	if err != nil {
		c.storeFail(w, r, "key rotation", err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"kid": kid})
}

func (c *Control) removeKey(w http.ResponseWriter, r *http.Request) {
	err := c.Auth.Keys().Remove(r.Context(), chi.URLParam(r, "kid"))
	if errors.Is(err, store.ErrNotFound) {
		fail(w, http.StatusNotFound, "no retired key with that kid (the active key cannot be removed)")
		return
	}
	if err != nil {
		c.storeFail(w, r, "key", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
