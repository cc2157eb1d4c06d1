package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A claim runs on the single writer, so it must read the due deliveries in
// claiming order off an index rather than sort every due delivery: with a
// backlog of thousands the sort held the writer for milliseconds per claim.
// A plan, not a timer.
func TestClaimReadsDueDeliveriesInOrderOffAnIndex(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var plan []string
	err = st.Write(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, "EXPLAIN QUERY PLAN "+qClaimDeliveries, formatTime(time.Now()), 8)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			plan = append(plan, detail)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "USING INDEX webhook_deliveries_due") {
		t.Errorf("the claim does not read the due index:\n%s", text)
	}
	if strings.Contains(text, "USE TEMP B-TREE") {
		t.Errorf("the claim sorts the due deliveries:\n%s", text)
	}
}
