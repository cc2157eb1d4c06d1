package emulatortest_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
)

// TestWithLoggerReceivesTheRequestLog checks that WithLogger gets one line
// per request.
func TestWithLoggerReceivesTheRequestLog(t *testing.T) {
	var buf bytes.Buffer
	emu := emulatortest.New(t, emulatortest.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	resp, err := http.Get(emu.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	emu.Close()
	if !strings.Contains(buf.String(), "path=/healthz") {
		t.Fatalf("log has no line for GET /healthz:\n%s", buf.String())
	}
}
