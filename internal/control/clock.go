package control

import (
	"net/http"
	"time"
)

type clockView struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
}

func (c *Control) getClock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, clockView{Now: c.Clock.Now(), Frozen: c.Clock.Frozen()})
}

// setClock serves POST /_emulator/clock with exactly one of
// {"advance": "16m"}, {"set": "<RFC 3339>"} or {"reset": true}.
func (c *Control) setClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance *string `json:"advance"`
		Set     *string `json:"set"`
		Reset   bool    `json:"reset"`
	}
	if !decode(w, r, &req) {
		return
	}
	given := 0
	for _, b := range []bool{req.Advance != nil, req.Set != nil, req.Reset} {
		if b {
			given++
		}
	}
	if given != 1 {
		fail(w, http.StatusBadRequest, `give exactly one of {"advance": "16m"}, {"set": "2026-01-02T15:04:05Z"} or {"reset": true}`)
		return
	}
	switch {
	case req.Advance != nil:
		d, err := time.ParseDuration(*req.Advance)
		if err != nil || d < 0 {
			fail(w, http.StatusBadRequest, "advance must be a non-negative duration such as 16m or 2h30m")
			return
		}
		if !clockInRange(c.Clock.Now().Add(d)) {
			fail(w, http.StatusBadRequest, "advance would move the clock past 2200")
			return
		}
		c.Clock.Advance(d)
	case req.Set != nil:
		t, err := time.Parse(time.RFC3339, *req.Set)
		if err != nil {
			fail(w, http.StatusBadRequest, "set must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
			return
		}
		if !clockInRange(t) {
			fail(w, http.StatusBadRequest, "set must be a time between 1970 and 2200")
			return
		}
		c.Clock.Set(t)
	default:
		c.Clock.Reset()
	}
	c.getClock(w, r)
}

// clockInRange keeps the clock where timestamps stay four-digit years and
// token lifetimes cannot overflow: 1970 to 2200.
func clockInRange(t time.Time) bool {
	return !t.Before(time.Unix(0, 0)) && t.Year() < 2200
}
