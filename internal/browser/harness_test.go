package browser_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the screenshots into docs/screenshots")

// startEmulator starts an emulator with a fresh demo database on a loopback
// port; its public URL is that port, so the playground's redirect URI is
// served by the emulator itself.
func startEmulator(t *testing.T) string {
	t.Helper()
	return startLoopback(t).URL
}

// startLoopback is startEmulator for tests that also reach into the
// emulator's store.
func startLoopback(t *testing.T) *app.Loopback {
	t.Helper()
	return apptest.Start(t, "").Loopback
}

// browser is one headless chromium with one tab, pointed at an emulator.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// actionTimeout bounds every browser step.
const actionTimeout = 30 * time.Second

// newBrowser starts chromium with a fresh profile. Without chromium the
// test skips, unless PLEO_EMULATOR_REQUIRE_BROWSER=1, where it fails.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("PLEO_EMULATOR_REQUIRE_BROWSER") == "1" {
			t.Fatalf("PLEO_EMULATOR_REQUIRE_BROWSER=1 but no chromium on PATH: %v", err)
		}
		t.Skip("browser test skipped: no chromium on PATH (install Debian's chromium package; CI sets PLEO_EMULATOR_REQUIRE_BROWSER=1 to make this a failure)")
	}
	profile, err := os.MkdirTemp("", "pleo-emulator-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeAll(profile) })
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-color-profile", "srgb"),
	)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser; no timeout on this first call
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx, base: base}
	b.do("desktop viewport", desktopViewport)
	return b
}

// desktopViewport is the viewport of every test and screenshot but the phone ones.
var desktopViewport = chromedp.EmulateViewport(1280, 800)

// removeAll removes dir, retrying while chromium's children finish writing.
func removeAll(dir string) {
	for range 50 {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// do runs steps with a timeout and fails the test on error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// navigate loads a path of the emulator and returns the response status.
func (b *browser) navigate(path string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("navigate to %s: %v", path, err)
	}
	if resp == nil { // a same-document navigation (only the fragment changed)
		return 0
	}
	return resp.Status
}

// click clicks the element matching css and waits for the page it loads.
func (b *browser) click(css string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible)); err != nil {
		b.t.Fatalf("click %s: %v", css, err)
	}
}

// text returns the visible text of the element matching css.
func (b *browser) text(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// path returns the current location relative to the emulator.
func (b *browser) path() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// mustContain fails unless the element matching css contains every want.
func (b *browser) mustContain(css string, want ...string) string {
	b.t.Helper()
	got := b.text(css)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Fatalf("%s on %s does not contain %q; it reads:\n%s", css, b.path(), w, got)
		}
	}
	return got
}

var (
	shotDirOnce sync.Once
	shotDirPath string
)

// screenshotDir is docs/screenshots with -update-screenshots (or
// PLEO_EMULATOR_UPDATE_SCREENSHOTS=1), else one temporary folder per run.
func screenshotDir(t *testing.T) string {
	if *updateScreenshots || os.Getenv("PLEO_EMULATOR_UPDATE_SCREENSHOTS") == "1" {
		return filepath.Join("..", "..", "docs", "screenshots")
	}
	shotDirOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pleo-emulator-screenshots-")
		if err != nil {
			t.Fatal(err)
		}
		shotDirPath = dir
	})
	return shotDirPath
}

// screenshot saves the whole page as name.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	b.save(name, chromedp.FullScreenshot(100))
}

// screenshotElement saves the element matching css as name.png.
func (b *browser) screenshotElement(name, css string) {
	b.t.Helper()
	b.save(name, chromedp.Screenshot(chromedp.CSS(css)))
}

// phoneViewport is a 375 x 800 phone, held upright.
var phoneViewport = chromedp.EmulateViewport(375, 800, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait)

// screenshotPhone saves the whole page at the phone viewport.
func (b *browser) screenshotPhone(name string) {
	b.t.Helper()
	b.do("phone viewport", phoneViewport)
	b.save(name, chromedp.FullScreenshot(100))
	b.do("desktop viewport", desktopViewport)
}

// eval evaluates a JavaScript expression in the page (through DevTools, so
// the page's CSP, which forbids scripts, does not apply) and returns its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *browser) save(name string, shot chromedp.Action[[]byte]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := screenshotDir(b.t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", file)
}
