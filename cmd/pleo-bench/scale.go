package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// The scale phase (-only scale): the emulator with --seed-size large, so
// Acme Denmark holds 100,000 more accounting entries. It reports the
// start-up and reset times with that seed, the database's size and the
// resident memory, the latency of the first page and of a page 500 cursors
// deep of POST /v1/accounting-entries:search with and without filters, an
// export job of 1,000 entries created and its items listed, and the rate
// of POST /_emulator/companies/{id}/generate. Requests are sequential: the
// latencies are of one request at a time, not of a loaded server.

var demoEmployeeID = seed.ID("acme-denmark/employee/3")

const (
	scaleSamples   = 100 // timed requests per page measured
	scaleDepth     = 500 // cursors followed to the deep page
	scalePageLimit = 20  // the search's default page size
	exportEntries  = 1000
)

// scaleSearches are the searches measured: the body, sort and a name.
var scaleSearches = []struct{ name, query, body string }{
	{"no filter (performedAt)", "", `{}`},
	{"no filter, sorted by settledAt DESC", "&sorting_keys=settledAt&sorting_order=DESC", `{}`},
	{"no filter, sorted by id", "&sorting_keys=id", `{}`},
	{"status COMPLETED", "", `{"status":["COMPLETED"]}`},
	{"family CARD_PURCHASE", "", `{"families":["CARD_PURCHASE"]}`},
	{"one employee", "", "EMPLOYEE"},
	{"currency EUR", "", `{"transactionValueCurrencies":["EUR"]}`},
	{"performedAt in the last 6 months", "", "PERFORMED_RANGE"},
}

func scaleLoad(binary string) (_ [][2]string, err error) {
	var rows [][2]string // the run adds the machine row
	// The phase takes many minutes: a failure still shows what was measured.
	defer func() {
		if err != nil {
			for _, r := range rows {
				fmt.Fprintf(os.Stderr, "scale: %s: %s\n", r[0], r[1])
			}
		}
	}()
	s, startup, err := startLarge(binary)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	rows = append(rows,
		[2]string{"start-up to /readyz 200, fresh database, --seed-size large (generates 100,000 entries)", fmt.Sprintf("%.1f s", startup.Seconds())},
		[2]string{"database size after start (file + WAL)", fmt.Sprintf("%.1f MiB", dbMiB(s.dir))},
		[2]string{"resident memory right after start", fmt.Sprintf("%.1f MiB", s.rssMB())})

	c := &http.Client{Timeout: 5 * time.Minute}
	resets, err := timeRequests(c, 5, func() (*http.Request, error) {
		return http.NewRequest(http.MethodPost, s.url+"/_emulator/reset", nil)
	})
	if err != nil {
		return nil, fmt.Errorf("reset: %w", err)
	}
	rows = append(rows, [2]string{"control API reset to the large seed (5 resets)", latencies(resets)})

	p, err := mintPair(c, s.url, "accounting-entries:read export-jobs:read export-jobs:write export-items:read")
	if err != nil {
		return nil, err
	}
	s.peak = 0
	stopSampling := s.sample()
	for _, search := range scaleSearches {
		r, err := searchLatencies(c, s.url, p.AccessToken, search.query, search.body)
		if err != nil {
			stopSampling()
			return nil, fmt.Errorf("%s: %w", search.name, err)
		}
		rows = append(rows, [2]string{"search, " + search.name + fmt.Sprintf(" (%d matches)", r.total), r.String()})
	}
	stopSampling()
	rows = append(rows, [2]string{"resident memory, peak during the searches", fmt.Sprintf("%.1f MiB", float64(s.peak)/1024)})

	r, err := exportJob(c, s.url, p.AccessToken)
	if err != nil {
		r = [][2]string{{"export job", "failed: " + err.Error()}}
	}
	rows = append(rows, r...)

	gen, err := generate(c, s.url, 100_000)
	if err != nil {
		gen = "failed: " + err.Error()
	}
	rows = append(rows, [2]string{"POST /_emulator/companies/{id}/generate, 100,000 entries", gen},
		[2]string{"database size after generating 100,000 more (file + WAL)", fmt.Sprintf("%.1f MiB", dbMiB(s.dir))},
		[2]string{"resident memory after generating", fmt.Sprintf("%.1f MiB", s.rssMB())})

	// A restart on the database the large seed is in: nothing to seed.
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	restart, err := s.start(binary)
	if err != nil {
		return nil, err
	}
	rows = append(rows, [2]string{"start-up to /readyz 200 on that database (already seeded, 200,000 entries)", fmt.Sprintf("%.0f ms", ms(restart))})
	return rows, nil
}

// startLarge starts the binary with --seed-size large on a fresh database
// and waits for /readyz; the seed takes seconds, so startServer's limit is
// too short.
func startLarge(binary string) (*server, time.Duration, error) {
	dir, err := os.MkdirTemp("", "pleo-bench-scale")
	if err != nil {
		return nil, 0, err
	}
	s := &server{dir: dir}
	d, err := s.start(binary)
	return s, d, err
}

// start runs the binary on s.dir's database with the large seed on a new
// port and waits for /readyz.
func (s *server) start(binary string) (time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	s.url = "http://" + addr
	s.cmd = exec.Command(binary, "serve", "--addr", addr, "--public-url", s.url, "--db", filepath.Join(s.dir, "e.db"),
		"--log-level", "error", "--seed-size", "large")
	s.cmd.Stderr = os.Stderr
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return 0, err
	}
	// Poll every 20 ms, not as fast as waitReady: the seed takes seconds and
	// needs the cores.
	client := &http.Client{Timeout: time.Second}
	for time.Since(start) < 10*time.Minute {
		if resp, err := client.Get(s.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	return 0, fmt.Errorf("no /readyz 200 within 10 minutes")
}

// timeRequests sends n requests one after the other and returns their
// durations; any answer but 2xx is an error.
func timeRequests(c *http.Client, n int, req func() (*http.Request, error)) ([]time.Duration, error) {
	var times []time.Duration
	for range n {
		r, err := req()
		if err != nil {
			return nil, err
		}
		start := time.Now()
		resp, err := c.Do(r)
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return nil, fmt.Errorf("%s %s: %s %s", r.Method, r.URL.Path, resp.Status, body)
		}
		times = append(times, time.Since(start))
	}
	return times, nil
}

// latencies summarises durations as p50 and p99 (min and max for few).
func latencies(times []time.Duration) string {
	slices.Sort(times)
	n := len(times)
	if n < 20 {
		return fmt.Sprintf("median %.1f ms (min %.1f, max %.1f)", ms(times[n/2]), ms(times[0]), ms(times[n-1]))
	}
	return fmt.Sprintf("p50 %.1f ms, p99 %.1f ms", ms(times[n/2]), ms(times[min(n-1, n*99/100)]))
}

// searchResult is the latency of the first and of a deep page of one search.
type searchResult struct {
	total       int
	first, deep []time.Duration
	depth       int // cursors followed to the deep page
}

// String reports the first page's first request apart: it counts the
// matches (pagination.total), which the emulator then remembers until the
// next write.
func (r searchResult) String() string {
	return fmt.Sprintf("first page: first request %.1f ms, then %s; page %d cursors deep: %s",
		ms(r.first[0]), latencies(r.first[1:]), r.depth, latencies(r.deep))
}

// searchPage is the part of a search answer the phase reads.
type searchPage struct {
	Data       []struct{ ID string } `json:"data"`
	Pagination struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
		Total       int    `json:"total"`
	} `json:"pagination"`
}

// searchLatencies times the first page of a search, follows scaleDepth
// cursors (fewer when the search has fewer pages) and times that page.
func searchLatencies(c *http.Client, base, token, query, body string) (searchResult, error) {
	if body == "EMPLOYEE" {
		body = `{"employeeIds":["` + demoEmployeeID + `"]}`
	}
	if body == "PERFORMED_RANGE" {
		now := time.Now().UTC()
		body = fmt.Sprintf(`{"performedAtStart":%q,"performedAtEnd":%q}`, now.AddDate(0, -6, 0).Format(time.RFC3339), now.Format(time.RFC3339))
	}
	page := func(after string) (*http.Request, error) {
		u := fmt.Sprintf("%s/v1/accounting-entries:search?company_id=%s&limit=%d%s", base, demoCompanyID, scalePageLimit, query)
		if after != "" {
			u += "&after=" + after
		}
		r, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
		if err == nil {
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Content-Type", "application/json")
		}
		return r, err
	}
	var res searchResult
	var err error
	if res.first, err = timeRequests(c, scaleSamples+1, func() (*http.Request, error) { return page("") }); err != nil {
		return res, err
	}
	cursor := ""
	for res.depth < scaleDepth {
		var p searchPage
		if err := getJSON(c, page, cursor, &p); err != nil {
			return res, err
		}
		res.total = p.Pagination.Total
		if !p.Pagination.HasNextPage {
			break
		}
		cursor = p.Pagination.EndCursor
		res.depth++
	}
	res.deep, err = timeRequests(c, scaleSamples, func() (*http.Request, error) { return page(cursor) })
	return res, err
}

// getJSON sends the request page(after) builds and decodes its answer.
func getJSON(c *http.Client, page func(string) (*http.Request, error), after string, v any) error {
	r, err := page(after)
	if err != nil {
		return err
	}
	resp, err := c.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: %s %s", r.Method, r.URL.Path, resp.Status, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// exportJob creates an export job of exportEntries entries that are ready
// for export, then lists its items and the export items, 100 a page.
func exportJob(c *http.Client, base, token string) ([][2]string, error) {
	var ids []string
	cursor := ""
	for len(ids) < exportEntries {
		var p searchPage
		err := getJSON(c, func(after string) (*http.Request, error) {
			u := base + "/v1/accounting-entries:search?limit=100&company_id=" + demoCompanyID
			if after != "" {
				u += "&after=" + after
			}
			r, err := http.NewRequest(http.MethodPost, u, strings.NewReader(`{"status":["COMPLETED"],"exportStatus":["NOT_EXPORTED"]}`))
			if err == nil {
				r.Header.Set("Authorization", "Bearer "+token)
				r.Header.Set("Content-Type", "application/json")
			}
			return r, err
		}, cursor, &p)
		if err != nil {
			return nil, err
		}
		for _, e := range p.Data {
			ids = append(ids, e.ID)
		}
		if !p.Pagination.HasNextPage {
			break
		}
		cursor = p.Pagination.EndCursor
	}
	ids = ids[:min(len(ids), exportEntries)]
	body, _ := json.Marshal(map[string]any{"companyId": demoCompanyID, "accountingEntryIds": ids})
	r, err := http.NewRequest(http.MethodPost, base+"/v3/export-jobs", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := c.Do(r)
	if err != nil {
		return nil, err
	}
	var job struct{ Data struct{ ID string } }
	err = json.NewDecoder(resp.Body).Decode(&job)
	resp.Body.Close()
	created := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("POST /v3/export-jobs: %s %v", resp.Status, err)
	}
	rows := [][2]string{{fmt.Sprintf("POST /v3/export-jobs with %d accounting entries", len(ids)), fmt.Sprintf("%.1f ms", ms(created))}}
	for _, list := range []struct{ name, path string }{
		{"GET /v3/export-jobs/{id}/items, 100 a page", "/v3/export-jobs/" + job.Data.ID + "/items?limit=100"},
		{"GET /v3/export-items?job_id=, 100 a page", "/v3/export-items?limit=100&job_id=" + job.Data.ID},
	} {
		var times []time.Duration
		items, cursor := 0, ""
		for {
			u := base + list.path
			if cursor != "" {
				u += "&after=" + cursor
			}
			start := time.Now()
			var p searchPage
			if err := getJSON(c, func(string) (*http.Request, error) {
				r, err := http.NewRequest(http.MethodGet, u, nil)
				if err == nil {
					r.Header.Set("Authorization", "Bearer "+token)
				}
				return r, err
			}, "", &p); err != nil {
				return nil, err
			}
			times = append(times, time.Since(start))
			items += len(p.Data)
			if !p.Pagination.HasNextPage {
				break
			}
			cursor = p.Pagination.EndCursor
		}
		rows = append(rows, [2]string{fmt.Sprintf("%s (%d items in %d pages)", list.name, items, len(times)), latencies(times)})
	}
	return rows, nil
}

// generate asks the control API for count more entries in Acme Denmark and
// reports its rate.
func generate(c *http.Client, base string, count int) (string, error) {
	resp, err := c.Post(base+"/_emulator/companies/"+demoCompanyID+"/generate", "application/json",
		strings.NewReader(fmt.Sprintf(`{"count": %d, "seed": 4242}`, count)))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var g struct {
		DurationMS       float64 `json:"duration_ms"`
		EntriesPerSecond float64 `json:"entries_per_second"`
		Error            string
	}
	if err := json.NewDecoder(resp.Body).Decode(&g); err != nil || resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("%s %s %v", resp.Status, g.Error, err)
	}
	return fmt.Sprintf("%.0f entries/s (%.1f s)", g.EntriesPerSecond, g.DurationMS/1000), nil
}
