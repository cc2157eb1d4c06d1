package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The receipts phase: POST /v1/accounting-entries/receipts:search, then the
// presigned download of a 1 MiB receipt attached through the control API,
// each from conns connections for d. The download is streamed from the
// database one 64 KiB chunk at a time, so the peak memory under many
// parallel downloads stays far below conns MiB.

// demoEntryID is the first accounting entry of Acme Denmark.
const demoEntryID = "73a7fff8-dc06-5957-b395-5da1e162bbfa"

const receiptSearchPath = "/v1/accounting-entries/receipts:search?limit=20"

const receiptSearchBody = `{"mimeType":["application/pdf","image/png"]}`

// receiptBytes is the size of the downloaded receipt.
const receiptBytes = 1 << 20

func receiptsLoad(s *server, conns int, d time.Duration) ([][2]string, error) {
	c := newClient(conns)
	p, err := mintPair(c, s.url, "accounting-entries:read")
	if err != nil {
		return nil, err
	}
	fileURL, err := largeReceipt(c, s.url, p.AccessToken)
	if err != nil {
		return nil, err
	}
	var rows [][2]string
	phases := []struct {
		name, method, url, body, token string
	}{
		{"POST " + receiptSearchPath, http.MethodPost, s.url + receiptSearchPath, receiptSearchBody, p.AccessToken},
		{"GET of a presigned 1 MiB receipt URL", http.MethodGet, fileURL, "", ""},
	}
	for _, ph := range phases {
		s.peak = 0
		stopSampling := s.sample()
		var r wrkResult
		generator := "Go load generator"
		if haveWrk() {
			generator = "wrk"
			r, err = wrkRequest(ph.method, ph.url, ph.body, ph.token, conns, d)
		} else {
			r, err = goLoad(c, ph.method, ph.url, ph.body, ph.token, conns, d)
		}
		stopSampling()
		if err != nil {
			return nil, err
		}
		rows = append(rows,
			[2]string{fmt.Sprintf("%s, %d connections, %s (%s)", ph.name, conns, d, generator),
				fmt.Sprintf("%.0f requests/s, p50 %.1f ms, p99 %.1f ms, %d errors", r.rps, r.p50, r.p99, r.errors)},
			[2]string{"resident memory, peak during " + ph.name, fmt.Sprintf("%.1f MiB", float64(s.peak)/1024)})
	}
	return rows, nil
}

// largeReceipt attaches a 1 MiB file to the demo entry through the control
// API and returns its presigned URL, read through the API.
func largeReceipt(c *http.Client, base, token string) (string, error) {
	file := bytes.Repeat([]byte("0123456789abcdef"), receiptBytes/16)
	resp, err := c.Post(base+"/_emulator/accounting-entries/"+demoEntryID+"/receipts", "application/pdf", bytes.NewReader(file))
	if err != nil {
		return "", err
	}
	var attached struct{ ID, Error string }
	err = json.NewDecoder(resp.Body).Decode(&attached)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("attach receipt: %s %s %v", resp.Status, attached.Error, err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/accounting-entries/"+demoEntryID+"/receipts/"+attached.ID, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var got struct{ Data struct{ URL string } }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("get receipt: %s %v", resp.Status, err)
	}
	return got.Data.URL, nil
}

// wrkRequest runs conns connections sending one request (method, URL,
// JSON body, bearer token; body and token optional) for d.
func wrkRequest(method, u, body, token string, conns int, d time.Duration) (wrkResult, error) {
	dir, err := os.MkdirTemp("", "pleo-bench-wrk")
	if err != nil {
		return wrkResult{}, err
	}
	defer os.RemoveAll(dir)
	script := fmt.Sprintf("wrk.method = %q\n", method)
	if body != "" {
		script += fmt.Sprintf("wrk.body = %q\nwrk.headers[\"Content-Type\"] = \"application/json\"\n", body)
	}
	if token != "" {
		script += fmt.Sprintf("wrk.headers[\"Authorization\"] = %q\n", "Bearer "+token)
	}
	path := filepath.Join(dir, "request.lua")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		return wrkResult{}, err
	}
	return runWrk("-t"+wrkThreads, "-c"+strconv.Itoa(conns), "-d"+d.String(), "--latency", "-s", path, u)
}

// goLoad is wrkRequest with the Go load generator.
func goLoad(c *http.Client, method, u, body, token string, conns int, d time.Duration) (wrkResult, error) {
	var res result
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequest(method, u, strings.NewReader(body))
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						res.fail(err)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					res.fail(fmt.Errorf("%s %s: %s", method, u, resp.Status))
					continue
				}
				res.ok(time.Since(t0))
			}
		})
	}
	wg.Wait()
	rps, p50, p99 := res.summary(time.Since(start))
	return wrkResult{rps: rps, p50: p50, p99: p99, errors: res.errors.Load()}, nil
}
