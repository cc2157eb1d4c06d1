package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
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
	for _, lr := range []loadRun{
		requestRun(loadRun{name: "receipts-search", label: fmt.Sprintf("POST %s, %d connections", receiptSearchPath, conns), memory: "the receipts search load"},
			c, http.MethodPost, s.url+receiptSearchPath, receiptSearchBody, p.AccessToken, conns, d),
		requestRun(loadRun{name: "receipt-download", label: fmt.Sprintf("GET of a presigned 1 MiB receipt URL, %d connections", conns), memory: "the receipt download load"},
			c, http.MethodGet, fileURL, "", "", conns, d),
	} {
		r, _, err := measure(s, d, lr)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
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
	return goLoop(conns, d, func(int) error {
		_, err := send(c, newRequest(method, u, body, token))
		return err
	}), nil
}
