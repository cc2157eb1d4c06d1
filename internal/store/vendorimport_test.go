package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// newImportJob creates a vendor CSV import job of Denmark and stores file as its upload.
func newImportJob(t *testing.T, st *store.Store, filename string, file []byte) pleo.CsvImportJob {
	t.Helper()
	ctx := context.Background()
	job, err := st.CreateCsvImportJob(ctx, pleo.CsvImportJob{CompanyID: seed.DenmarkID, Type: "vendors", OriginalFilename: filename}, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != pleo.CsvImportUploadInitiated {
		t.Fatalf("new job in %s", job.Status)
	}
	if err := st.StoreCsvImportFile(ctx, job.ID, file, resNow); err != nil {
		t.Fatal(err)
	}
	return job
}

func TestRunCsvImportKeepsGoodRowsAndRecordsBadOnes(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	file, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vendors", "mixed-with-bad-rows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	job := newImportJob(t, st, "mixed.csv", file)
	uploaded, err := st.CsvImportJob(ctx, dk, job.ID)
	if err != nil || uploaded.Status != pleo.CsvImportUploaded || len(uploaded.ColumnNames) != 5 || uploaded.ColumnNames[1] != "Name" {
		t.Fatalf("after upload: %+v, %v", uploaded, err)
	}
	before, _ := st.Count(ctx, "vendors")

	done, err := st.RunCsvImport(ctx, dk, job.ID, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != pleo.CsvImportCompleted || *done.RowsTotal != 8 || *done.RowsSucceeded != 3 || *done.RowsFailed != 4 || *done.RowsSkipped != 1 {
		t.Fatalf("run: %+v", done)
	}
	if after, _ := st.Count(ctx, "vendors"); after != before+3 {
		t.Errorf("vendors %d -> %d, want 3 more", before, after)
	}
	page, err := st.CsvImportErrors(ctx, dk, job.ID, store.PageRequest{Order: store.WithTiebreak([]store.Sort{{Key: "rowNumber"}}), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int32
		code string
	}{{3, "INVALID_NAME"}, {5, "INVALID_DEFAULT_CURRENCY"}, {6, "INVALID_COLUMN_COUNT"}, {8, "VENDOR_ALREADY_EXISTS"}}
	if len(page.Items) != len(want) {
		t.Fatalf("errors %+v", page.Items)
	}
	for i, w := range want {
		if e := page.Items[i]; e.RowNumber != w.line || e.ErrorCode != w.code || e.CsvImportJobID != job.ID || e.RawData == "" {
			t.Errorf("error %d: %+v, want line %d %s", i, e, w.line, w.code)
		}
	}
	drafts, err := st.SearchVendors(ctx, dk, store.VendorFilter{Name: "Hansen Kontorartikler"}, firstPage(10))
	if err != nil || drafts.Total != 1 || drafts.Items[0].State != "DRAFT" || drafts.Items[0].Code != "70003" {
		t.Errorf("imported vendor: %+v, %v", drafts.Items, err)
	}

	// A job runs once; its errors are invisible to another company.
	if _, err := st.RunCsvImport(ctx, dk, job.ID, resNow); !errors.Is(err, pleo.ErrCsvImportStatus) {
		t.Errorf("second run: %v", err)
	}
	if err := st.StoreCsvImportFile(ctx, job.ID, file, resNow); !errors.Is(err, pleo.ErrCsvImportStatus) {
		t.Errorf("upload after the run: %v", err)
	}
	if _, err := st.CsvImportErrors(ctx, se, job.ID, firstPage(10)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("errors for Sweden: %v", err)
	}
}

func TestRunCsvImportFailsUnreadableFiles(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	file, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vendors", "wrong-header.csv"))
	if err != nil {
		t.Fatal(err)
	}
	job := newImportJob(t, st, "wrong.csv", file)
	before, _ := st.Count(ctx, "vendors")
	done, err := st.RunCsvImport(ctx, dk, job.ID, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != pleo.CsvImportFailed || done.ErrorCode != pleo.CsvErrorInvalidFileFormat || done.ErrorMessage == "" || done.RowsTotal != nil {
		t.Errorf("run of a file without a name column: %+v", done)
	}
	if after, _ := st.Count(ctx, "vendors"); after != before {
		t.Errorf("vendors %d -> %d", before, after)
	}
}

func TestCsvImportJobWithoutFileDoesNotRun(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	job, err := st.CreateCsvImportJob(ctx, pleo.CsvImportJob{CompanyID: seed.DenmarkID, Type: "vendors", OriginalFilename: "v.csv"}, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RunCsvImport(ctx, dk, job.ID, resNow); !errors.Is(err, pleo.ErrCsvImportStatus) {
		t.Errorf("run without a file: %v", err)
	}
	if _, err := st.UpdateCsvImportStatus(ctx, dk, job.ID, pleo.CsvImportStatusUpdate{Status: "QUEUED"}, resNow); !errors.Is(err, pleo.ErrCsvImportStatus) {
		t.Errorf("queue without a file: %v", err)
	}
	if _, err := st.CreateCsvImportJob(ctx, pleo.CsvImportJob{CompanyID: seed.DenmarkID, Type: "accounts", OriginalFilename: "v.csv"}, resNow); !errors.Is(err, pleo.ErrInvalid) {
		t.Errorf("type accounts: %v", err)
	}
	merged, err := st.UpdateCsvImportMetadata(ctx, dk, job.ID, map[string]any{"a": map[string]any{"x": 1.0}}, "MERGE", resNow)
	if err != nil {
		t.Fatal(err)
	}
	merged, err = st.UpdateCsvImportMetadata(ctx, dk, job.ID, map[string]any{"b": map[string]any{}}, "MERGE", resNow)
	if err != nil || len(merged.Metadata) != 2 {
		t.Errorf("merge: %+v, %v", merged.Metadata, err)
	}
	replaced, err := st.UpdateCsvImportMetadata(ctx, dk, job.ID, map[string]any{"c": map[string]any{}}, "REPLACE", resNow)
	if err != nil || len(replaced.Metadata) != 1 || replaced.Metadata["c"] == nil {
		t.Errorf("replace: %+v, %v", replaced.Metadata, err)
	}
}

func TestSeededCsvImportJob(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	jobs, err := st.SearchCsvImportJobs(ctx, dk, store.CsvImportJobFilter{Statuses: []string{"COMPLETED"}}, firstPage(10))
	if err != nil || len(jobs.Items) != 1 {
		t.Fatalf("seeded jobs: %+v, %v", jobs.Items, err)
	}
	job := jobs.Items[0]
	if *job.RowsTotal != 3 || *job.RowsSucceeded != 2 || *job.RowsFailed != 1 {
		t.Errorf("seeded job %+v", job)
	}
	errs, err := st.CsvImportErrors(ctx, dk, job.ID, store.PageRequest{Order: store.WithTiebreak([]store.Sort{{Key: "rowNumber"}}), Limit: 10})
	if err != nil || len(errs.Items) != 1 || errs.Items[0].RowNumber != 4 || errs.Items[0].ErrorCode != "INVALID_DEFAULT_CURRENCY" {
		t.Errorf("seeded errors %+v, %v", errs.Items, err)
	}
	key1, err := st.UploadSigningKey(ctx)
	if err != nil || len(key1) != 32 {
		t.Fatalf("key %x, %v", key1, err)
	}
	if key2, _ := st.UploadSigningKey(ctx); string(key1) != string(key2) {
		t.Error("the upload signing key changed")
	}
}
