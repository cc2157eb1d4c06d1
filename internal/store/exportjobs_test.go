package store_test

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// exportPage asks for the first page of limit items in the list's default order.
func exportPage(limit int) store.PageRequest { return store.PageRequest{Limit: limit} }

// walkExportList is walkPages for the export lists: order is the list's
// default when nil, else order with the id tiebreak. It returns the IDs in
// list order.
func walkExportList[T any](t *testing.T, limit int, order []store.Sort, id func(T) string,
	list func(store.PageRequest) (store.Page[T], error)) []string {
	t.Helper()
	if order != nil {
		order = store.WithTiebreak(order)
	}
	items := walkPages(t, order, limit, id, list)
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = id(it)
	}
	return ids
}

// readyEntries returns n IDs of a company's entries that are ready for export.
func readyEntries(t *testing.T, db *sql.DB, companyID string, n int) []string {
	t.Helper()
	rows, err := db.Query(`SELECT id FROM accounting_entries WHERE company_id = ? AND status = 'COMPLETED'
		AND export_status = 'NOT_EXPORTED' AND deleted_at IS NULL ORDER BY id LIMIT ?`, companyID, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if len(ids) != n {
		t.Fatalf("only %d ready entries", len(ids))
	}
	return ids
}

// wantExportStatus checks the exportStatus of accounting entries.
func wantExportStatus(t *testing.T, db *sql.DB, want string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		var got string
		if err := db.QueryRow(`SELECT export_status FROM accounting_entries WHERE id = ?`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("entry %s is %s, want %s", id, got, want)
		}
	}
}

func itemStatuses(t *testing.T, st *store.Store, jobID string) map[string]pleo.ExportJobItem {
	t.Helper()
	page, err := st.ListExportJobItems(context.Background(), dk, jobID, "", exportPage(100), resNow)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]pleo.ExportJobItem{}
	for _, it := range page.Items {
		out[it.AccountingEntryID] = it
	}
	return out
}

func TestExportJobLifecycle(t *testing.T) {
	st, db := openResourceStore(t)
	ctx := context.Background()
	ids := readyEntries(t, db, dk[0], 4)
	e1, e2, e3, e4 := ids[0], ids[1], ids[2], ids[3]
	creator := "3fd941d3-0000-0000-0000-000000000000"
	t0 := resNow.Add(500 * time.Millisecond)

	job, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0], AccountingEntryIDs: []string{e1, e2, e3, e1},
		EmployeeID: &creator}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != "pending" || job.NumberOfItems != 3 || !job.IsInteractive || job.VendorBasedBookkeeping ||
		*job.CreatedBy != creator || !job.CreatedAt.Equal(resNow) || job.ExpiresIn != 3600 || job.StartedAt != nil {
		t.Errorf("created %+v", job)
	}
	wantExportStatus(t, db, "QUEUED", e1, e2, e3)
	if got, err := st.ExportJob(ctx, dk, job.ID, resNow.Add(10*time.Minute)); err != nil || got.ExpiresIn != 3000 || got.NumberOfItems != 3 {
		t.Errorf("ExportJob = %+v, %v", got, err)
	}

	// Entries that cannot join a job.
	var swedish, deleted string
	if err := db.QueryRow(`SELECT id FROM accounting_entries WHERE company_id = ? LIMIT 1`, se[0]).Scan(&swedish); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT id FROM accounting_entries WHERE company_id = ? AND deleted_at IS NOT NULL LIMIT 1`, dk[0]).Scan(&deleted); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{e1, swedish, deleted, "00000000-0000-0000-0000-000000000001"} {
		if _, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0], AccountingEntryIDs: []string{e4, bad}}, t0); !errors.Is(err, pleo.ErrEntryNotExportable) {
			t.Errorf("entry %s: %v, want ErrEntryNotExportable", bad, err)
		}
	}
	wantExportStatus(t, db, "NOT_EXPORTED", e4) // the failed creations changed nothing

	// A pending job does not block a second one; an in-progress one does.
	vb := true
	job2, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0], AccountingEntryIDs: []string{e4},
		Options: &pleo.ExportJobOptions{VendorBasedBookkeeping: &vb}}, t0.Add(time.Second))
	if err != nil || !job2.VendorBasedBookkeeping {
		t.Fatalf("second pending job: %+v, %v", job2, err)
	}
	if _, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: job.ID, Event: "completed"}, t0); !errors.Is(err, pleo.ErrIllegalTransition) {
		t.Errorf("complete a pending job: %v", err)
	}
	t1 := resNow.Add(time.Minute)
	started, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: job.ID, Event: "started"}, t1)
	if err != nil || started.Status != "in_progress" || !started.StartedAt.Equal(t1) || !started.LastUpdatedAt.Equal(t1) {
		t.Fatalf("start: %+v, %v", started, err)
	}
	wantExportStatus(t, db, "EXPORTING", e1, e2, e3)
	wantExportStatus(t, db, "QUEUED", e4)
	if _, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0]}, t1); !errors.Is(err, pleo.ErrExportInProgress) {
		t.Errorf("create while in progress: %v", err)
	}
	_, err = st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: job2.ID, Event: "started"}, t1)
	if !errors.Is(err, pleo.ErrIllegalTransition) || !errors.Is(err, pleo.ErrExportInProgress) {
		t.Errorf("start a second job: %v", err)
	}
	if _, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: job.ID, Event: "started"}, t1); !errors.Is(err, pleo.ErrIllegalTransition) {
		t.Errorf("start twice: %v", err)
	}

	// Export items of the running job.
	items, err := st.ListExportItems(ctx, dk, job.ID, exportPage(20), t1)
	if err != nil || len(items.Items) != 3 || items.Total != 3 {
		t.Fatalf("export items: %d, %v", len(items.Items), err)
	}
	for _, it := range items.Items {
		if it.CompanyID != dk[0] || it.Type == "" || it.Amount.InWalletCurrency.Currency != "DKK" || it.ExportJobID != job.ID ||
			len(it.AccountingEntryLines) != 1 || it.Vendor != nil {
			t.Errorf("export item %+v", it)
		}
	}
	if all, _ := st.ListExportItems(ctx, dk, "", exportPage(20), t1); all.Total != 4 {
		t.Errorf("export items of every unfinished job: %d, want 4", all.Total)
	}
	if vbItems, _ := st.ListExportItems(ctx, dk, job2.ID, exportPage(20), t1); len(vbItems.Items) != 1 || vbItems.Items[0].Bookkeeping == nil {
		t.Errorf("vendor-based job item lacks bookkeeping: %+v", vbItems.Items)
	}

	// Item updates.
	tooMany := make([]pleo.ExportJobItemUpdate, pleo.MaxItemsPerUpdate+1)
	for i := range tooMany {
		tooMany[i] = pleo.ExportJobItemUpdate{AccountingEntryID: e1, Status: "successful"}
	}
	if _, _, err := st.UpdateExportJobItems(ctx, dk, job.ID, tooMany, t1); !errors.Is(err, pleo.ErrTooManyItems) {
		t.Errorf("101 items: %v", err)
	}
	if _, _, err := st.UpdateExportJobItems(ctx, dk, job.ID, []pleo.ExportJobItemUpdate{{AccountingEntryID: e1, Status: "done"}}, t1); !errors.Is(err, pleo.ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
	ext, reason := "JE-1", "tax code missing"
	t2 := resNow.Add(2 * time.Minute)
	done, failed, err := st.UpdateExportJobItems(ctx, dk, job.ID, []pleo.ExportJobItemUpdate{
		{AccountingEntryID: e1, Status: "successful", ExternalID: &ext},
		{AccountingEntryID: e2, Status: "failed", FailureReason: &reason, FailureReasonType: "tax_code_unknown"},
		{AccountingEntryID: e4, Status: "successful"}, // an item of job2, not of job
	}, t2)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 2 || done[0].Status != "successful" || *done[0].ExternalID != "JE-1" || !done[0].ExportedAt.Equal(t2) ||
		done[1].FailureReasonType != "tax_code_unknown" {
		t.Errorf("updated %+v", done)
	}
	if len(failed) != 1 || failed[0].AccountingEntryID != e4 || failed[0].Type != "ACCOUNTING_ENTRY_DOES_NOT_EXIST" {
		t.Errorf("errors %+v", failed)
	}
	wantExportStatus(t, db, "EXPORTED", e1)
	wantExportStatus(t, db, "EXPORTING", e2, e3)
	if got, _ := st.ExportJob(ctx, dk, job.ID, t2); !got.LastUpdatedAt.Equal(t2) {
		t.Errorf("item update does not touch lastUpdatedAt: %v", got.LastUpdatedAt)
	}
	if page, _ := st.ListExportJobItems(ctx, dk, job.ID, "failed", exportPage(20), t2); len(page.Items) != 1 || page.Items[0].AccountingEntryID != e2 {
		t.Errorf("items with status failed: %+v", page.Items)
	}

	// Finish: the pending item is abandoned; failed and abandoned entries go back.
	t3 := resNow.Add(3 * time.Minute)
	fin, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: job.ID, Event: "completed_with_errors"}, t3)
	if err != nil || fin.Status != "completed_with_errors" || !fin.CompletedAt.Equal(t3) || fin.ExpiresIn != 0 {
		t.Fatalf("finish: %+v, %v", fin, err)
	}
	st3 := itemStatuses(t, st, job.ID)
	if st3[e1].Status != "successful" || st3[e2].Status != "failed" || st3[e3].Status != "abandoned" {
		t.Errorf("items after finish: %+v", st3)
	}
	wantExportStatus(t, db, "EXPORTED", e1)
	wantExportStatus(t, db, "NOT_EXPORTED", e2, e3)
	if _, _, err := st.UpdateExportJobItems(ctx, dk, job.ID, []pleo.ExportJobItemUpdate{{AccountingEntryID: e3, Status: "successful"}}, t3); !errors.Is(err, pleo.ErrJobFinished) {
		t.Errorf("update a finished job: %v", err)
	}
	if _, err := st.ListExportItems(ctx, dk, job.ID, exportPage(20), t3); !errors.Is(err, pleo.ErrJobFinished) {
		t.Errorf("export items of a finished job: %v", err)
	}
	if _, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: job.ID, Event: "failed"}, t3); !errors.Is(err, pleo.ErrIllegalTransition) {
		t.Errorf("fail a finished job: %v", err)
	}

	// Now the second job may start; failing it gives its entry back.
	if _, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: job2.ID, Event: "started"}, t3); err != nil {
		t.Fatal(err)
	}
	why := "ERP down"
	f, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: job2.ID, Event: "failed", FailureReason: &why,
		FailureReasonType: "accounting_system_unreachable"}, t3)
	if err != nil || *f.FailureReason != why || f.FailureReasonType != "accounting_system_unreachable" {
		t.Fatalf("fail: %+v, %v", f, err)
	}
	wantExportStatus(t, db, "NOT_EXPORTED", e4)

	// Statuses filter, and isolation: Danish jobs do not exist for Sweden.
	if page, _ := st.ListExportJobs(ctx, dk, []string{"failed"}, exportPage(20), t3); len(page.Items) != 1 || page.Items[0].ID != job2.ID {
		t.Errorf("failed jobs: %+v", page.Items)
	}
	if page, _ := st.ListExportJobs(ctx, se, nil, exportPage(20), t3); len(page.Items) != 0 {
		t.Errorf("Sweden lists %d Danish jobs", len(page.Items))
	}
	if _, err := st.ExportJob(ctx, se, job.ID, t3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ExportJob(se) = %v", err)
	}
	if _, err := st.ListExportJobItems(ctx, se, job.ID, "", exportPage(20), t3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ListExportJobItems(se) = %v", err)
	}
	if _, err := st.ApplyExportJobEvent(ctx, se, pleo.ExportJobEvent{JobID: job.ID, Event: "failed"}, t3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ApplyExportJobEvent(se) = %v", err)
	}
	if _, _, err := st.UpdateExportJobItems(ctx, se, job.ID, nil, t3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateExportJobItems(se) = %v", err)
	}
	if _, err := st.ListExportItems(ctx, se, job.ID, exportPage(20), t3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ListExportItems(se) = %v", err)
	}
	if _, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: "no-such-company"}, t3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("job for an unknown company: %v", err)
	}
}

func TestExportJobAutoSelectAndExpiry(t *testing.T) {
	st, db := openResourceStore(t)
	ctx := context.Background()
	var ready int
	if err := db.QueryRow(`SELECT count(*) FROM accounting_entries WHERE company_id = ? AND status = 'COMPLETED'
		AND export_status = 'NOT_EXPORTED' AND deleted_at IS NULL`, dk[0]).Scan(&ready); err != nil {
		t.Fatal(err)
	}
	job, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0]}, resNow)
	if err != nil || job.NumberOfItems != ready || ready == 0 {
		t.Fatalf("auto job: %d items of %d ready, %v", job.NumberOfItems, ready, err)
	}
	if _, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0]}, resNow); !errors.Is(err, pleo.ErrNothingToExport) {
		t.Errorf("second auto job: %v", err)
	}
	walkExportList(t, 7, nil, func(it pleo.ExportJobItem) string { return it.AccountingEntryID },
		func(req store.PageRequest) (store.Page[pleo.ExportJobItem], error) {
			return st.ListExportJobItems(ctx, dk, job.ID, "", req, resNow)
		})
	walkExportList(t, 9, []store.Sort{{Key: "accountingEntryId", Desc: true}}, func(it pleo.ExportItem) string { return it.AccountingEntryID },
		func(req store.PageRequest) (store.Page[pleo.ExportItem], error) {
			return st.ListExportItems(ctx, dk, job.ID, req, resNow)
		})

	start := resNow.Add(10 * time.Minute)
	if _, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: job.ID, Event: "started"}, start); err != nil {
		t.Fatal(err)
	}
	if n, err := st.ExpireExportJobs(ctx, start.Add(pleo.ExportJobTTL-time.Second)); err != nil || n != 0 {
		t.Errorf("expired %d before the TTL, %v", n, err)
	}
	// A later creation expires the stale in-progress job first, then succeeds.
	later := start.Add(pleo.ExportJobTTL + time.Minute)
	if _, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0]}, later); err != nil {
		t.Fatalf("create after expiry: %v", err)
	}
	exp, err := st.ExportJob(ctx, dk, job.ID, later)
	if err != nil || exp.Status != "failed" || exp.FailureReasonType != "job_expired" || !exp.ExpiredAt.Equal(start.Add(pleo.ExportJobTTL)) {
		t.Fatalf("expired job: %+v, %v", exp, err)
	}
	for _, it := range itemStatuses(t, st, job.ID) {
		if it.Status != "abandoned" {
			t.Fatalf("item of an expired job is %s", it.Status)
		}
	}
	var queued int
	if err := db.QueryRow(`SELECT count(*) FROM accounting_entries WHERE company_id = ? AND export_status = 'QUEUED'`, dk[0]).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued != ready {
		t.Errorf("%d entries queued by the new job, want %d", queued, ready)
	}
	// A read expires too: the new job, untouched for the TTL, reads as failed.
	job2, err := st.ListExportJobs(ctx, dk, []string{"pending"}, exportPage(20), later)
	if err != nil || len(job2.Items) != 1 {
		t.Fatalf("pending jobs: %+v, %v", job2.Items, err)
	}
	if got, err := st.ExportJob(ctx, dk, job2.Items[0].ID, later.Add(pleo.ExportJobTTL)); err != nil || got.Status != "failed" {
		t.Errorf("read after expiry: %+v, %v", got, err)
	}
	if n, err := st.ExpireExportJobs(ctx, later.Add(2*pleo.ExportJobTTL)); err != nil || n != 0 {
		t.Errorf("ExpireExportJobs expired %d, %v; the read did it already", n, err)
	}
	var left int
	if err := db.QueryRow(`SELECT count(*) FROM accounting_entries WHERE export_status IN ('QUEUED', 'EXPORTING')`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d entries still queued or exporting, %v", left, err)
	}
}

func TestExportJobsPagination(t *testing.T) {
	st, db := openResourceStore(t)
	ctx := context.Background()
	ids := readyEntries(t, db, dk[0], 9)
	for i, id := range ids {
		// Two jobs share each creation second, so the ID tiebreak matters.
		if _, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0], AccountingEntryIDs: []string{id}},
			resNow.Add(time.Duration(i/2)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	jobID := func(j pleo.ExportJob) string { return j.ID }
	asc := walkExportList(t, 2, nil, jobID, func(req store.PageRequest) (store.Page[pleo.ExportJob], error) {
		return st.ListExportJobs(ctx, dkse, nil, req, resNow)
	})
	if len(asc) != 9 {
		t.Fatalf("walk saw %d jobs", len(asc))
	}
	// The default order is createdAt, then id.
	all, err := st.ListExportJobs(ctx, dk, nil, exportPage(100), resNow)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(all.Items, func(a, b pleo.ExportJob) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	}) {
		t.Error("jobs are not in createdAt, id order")
	}
	desc := walkExportList(t, 4, []store.Sort{{Key: "createdAt", Desc: true}, {Key: "id", Desc: true}}, jobID,
		func(req store.PageRequest) (store.Page[pleo.ExportJob], error) {
			return st.ListExportJobs(ctx, dk, []string{"pending"}, req, resNow)
		})
	slices.Reverse(desc)
	if !slices.Equal(asc, desc) {
		t.Errorf("descending is not the reverse of ascending:\n%v\n%v", asc, desc)
	}
	// Two jobs fail while pending and one starts: only that one has a
	// startedAt, and NULLs go last ascending, so it comes first.
	for _, id := range asc[3:5] {
		if _, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: id, Event: "failed"}, resNow); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: asc[7], Event: "started"}, resNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	byStart := walkExportList(t, 3, []store.Sort{{Key: "startedAt"}}, jobID, func(req store.PageRequest) (store.Page[pleo.ExportJob], error) {
		return st.ListExportJobs(ctx, dk, nil, req, resNow.Add(time.Minute))
	})
	if byStart[0] != asc[7] || len(byStart) != 9 {
		t.Errorf("by startedAt: %v; want %s first", byStart, asc[7])
	}
	// An order the list does not know is refused.
	if _, err := st.ListExportJobs(ctx, dk, nil, store.PageRequest{Order: store.WithTiebreak([]store.Sort{{Key: "amount"}}), Limit: 5}, resNow); err == nil {
		t.Error("unknown sort key accepted")
	}
}

// TestExportItemsOfAnEntryInTwoJobs: an entry exported by a pending job may
// join a second job while the first is unfinished; the export items list
// both, once each.
func TestExportItemsOfAnEntryInTwoJobs(t *testing.T) {
	st, db := openResourceStore(t)
	ctx := context.Background()
	ids := readyEntries(t, db, dk[0], 3)
	first, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0], AccountingEntryIDs: ids}, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.UpdateExportJobItems(ctx, dk, first.ID, []pleo.ExportJobItemUpdate{{AccountingEntryID: ids[1], Status: "successful"}}, resNow); err != nil {
		t.Fatal(err)
	}
	second, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0], AccountingEntryIDs: ids[1:2]}, resNow)
	if err != nil {
		t.Fatalf("re-export an exported entry: %v", err)
	}
	got := walkExportList(t, 1, nil, func(it pleo.ExportItem) string { return it.AccountingEntryID + "/" + it.ExportJobID },
		func(req store.PageRequest) (store.Page[pleo.ExportItem], error) {
			return st.ListExportItems(ctx, dk, "", req, resNow)
		})
	want := []string{ids[0] + "/" + first.ID, ids[1] + "/" + first.ID, ids[1] + "/" + second.ID, ids[2] + "/" + first.ID}
	if first.ID > second.ID {
		want[1], want[2] = want[2], want[1]
	}
	if !slices.Equal(got, want) {
		t.Errorf("export items\n got %v\nwant %v", got, want)
	}
}

// TestConcurrentExportJobs races 50 writers for the same export state:
// exactly one may win each race.
func TestConcurrentExportJobs(t *testing.T) {
	st, db := openResourceStore(t)
	ctx := context.Background()
	race := func(name string, try func(i int) error, lose error) {
		t.Helper()
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := range 50 {
			wg.Go(func() {
				err := try(i)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, lose):
					t.Errorf("%s: %v", name, err)
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%s: %d winners, want 1", name, wins)
		}
	}

	same := readyEntries(t, db, dk[0], 2)
	race("create with the same entries", func(int) error {
		_, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0], AccountingEntryIDs: same}, resNow)
		return err
	}, pleo.ErrEntryNotExportable)

	race("create with every ready entry", func(int) error {
		_, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: dk[0]}, resNow)
		return err
	}, pleo.ErrNothingToExport)

	page, err := st.ListExportJobs(ctx, dk, []string{"pending"}, exportPage(20), resNow)
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("pending jobs: %d, %v", len(page.Items), err)
	}
	race("start either pending job", func(i int) error {
		_, err := st.ApplyExportJobEvent(ctx, dk, pleo.ExportJobEvent{JobID: page.Items[i%2].ID, Event: "started"}, resNow)
		return err
	}, pleo.ErrIllegalTransition)

	// Sweden is not blocked by Denmark's running job.
	if _, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: se[0]}, resNow); err != nil {
		t.Errorf("Swedish job while a Danish one runs: %v", err)
	}
}
