package browser_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// signInTo signs in as email on the login page that continues to path.
func (b *browser) signInTo(email, path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
	cancel()
	if err != nil {
		b.t.Fatalf("sign out: %v", err)
	}
	b.navigate("/login?continue=" + path)
	b.do("fill in the login form",
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), seed.DemoPassword))
	b.click("form.form button[type=submit]")
	if p := b.path(); p != path {
		b.t.Fatalf("after signing in the browser is on %s, want %s", p, path)
	}
}

// unlabelledControls lists the form controls in main without an
// accessible name from a label (or a fieldset legend, for radio buttons).
func (b *browser) unlabelledControls() []string {
	b.t.Helper()
	return eval[[]string](b, `Array.from(document.querySelectorAll('main input:not([type=hidden]), main select, main textarea, main button'))
		.filter(el => el.tagName === 'BUTTON' ? el.textContent.trim() === '' : el.labels.length === 0)
		.map(el => el.id || el.name || el.tagName)`)
}

// checkScreen asserts what every screen of the page must do at both
// viewports: one h1, every control labelled, no horizontal scrolling of
// the page (wide tables scroll inside their own box).
func (b *browser) checkScreen(what string) {
	b.t.Helper()
	for _, vp := range viewports {
		b.do(vp.name, vp.set)
		if n := eval[int](b, `document.querySelectorAll('h1').length`); n != 1 {
			b.t.Errorf("%s at %s: %d h1 elements, want 1", what, vp.name, n)
		}
		if bad := b.unlabelledControls(); len(bad) > 0 {
			b.t.Errorf("%s at %s: controls without a label: %v", what, vp.name, bad)
		}
		if eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
			b.t.Errorf("%s at %s: the page scrolls sideways", what, vp.name)
		}
	}
	b.do("desktop viewport", desktopViewport)
}

// writeReceipt writes a small PNG receipt and returns its path.
func writeReceipt(t *testing.T) string {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 60))
	for x := 5; x < 35; x++ {
		img.Set(x, 10, color.White)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "taxi-receipt.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSpendingRecordAndReview is the spending page end to end: the employee
// records an out-of-pocket expense with a receipt (first sending it
// incomplete, which shows the problems by their fields), then the
// bookkeeper reviews it and sees the status change. Each screen is checked
// for labels, one heading and no sideways scrolling at 1280 and 375 px.
func TestSpendingRecordAndReview(t *testing.T) {
	lb := startLoopback(t)
	b := newBrowser(t, lb.URL)
	b.navigate("/")
	b.click(`main a[href="/spending"]`)
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("the start page's Spending link, signed out, led to %s, want the login page", p)
	}

	b.signInTo(seed.EmployeeEmail, "/spending")
	b.mustContain("main", "Spending", "Signed in as employee@acme.test, Employee of Acme Denmark",
		"Record a purchase or expense", "Your entries")
	b.checkScreen("employee's page")
	b.screenshot("spending-employee")

	// Sent incomplete: the error summary has focus and links to each field.
	b.do("type only the merchant", chromedp.SendKeys(chromedp.CSS("#spend-merchant"), "Taxa 4x35"))
	b.click("#record-submit")
	b.mustContain("#record-errors", "The entry was not recorded", "Choose how you paid.", "Enter the amount.")
	if id := eval[string](b, `document.activeElement.id`); id != "record-errors" {
		t.Errorf("after a failed submit the focus is on %q, want the error summary", id)
	}
	if got := eval[string](b, `document.querySelector('#spend-merchant').value`); got != "Taxa 4x35" {
		t.Errorf("the merchant typed was lost: %q", got)
	}
	if eval[string](b, `document.querySelector('#spend-amount').getAttribute('aria-invalid')`) != "true" ||
		!strings.Contains(eval[string](b, `document.querySelector('#spend-amount').getAttribute('aria-describedby')`), "spend-amount-error") {
		t.Error("the amount field does not point at its error")
	}
	b.checkScreen("record form with errors")
	b.screenshotElement("spending-errors", "#record")
	b.do("follow the amount error's link", chromedp.Click(chromedp.CSS(`#record-errors a[href="#spend-amount"]`), chromedp.NodeVisible))
	if !b.inViewNow("#spend-amount") || !b.inViewNow(`label[for="spend-amount"]`) || !b.inViewNow("#spend-amount-error") {
		t.Error("the error's link does not bring the amount field, its label and its error into view")
	}

	// Complete it: the kind by clicking, the amount by keyboard, the receipt
	// uploaded; Enter in the amount field sends the form.
	b.do("choose out-of-pocket", chromedp.Click(chromedp.CSS(`input[name=kind][value=out-of-pocket]`), chromedp.NodeVisible))
	b.do("attach the receipt", chromedp.SetUploadFiles(chromedp.CSS("#spend-receipt"), []string{writeReceipt(t)}))
	b.do("type the note", chromedp.SendKeys(chromedp.CSS("#spend-note"), "Taxi to the airport"))
	b.do("type the amount", chromedp.SendKeys(chromedp.CSS("#spend-amount"), "249.50"))
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatalf("send the form with Enter: %v", err)
	}
	p := b.path()
	_, entryID, ok := strings.Cut(p, "#entry-")
	if !ok {
		t.Fatalf("after recording the browser is on %s, want the page at the new entry", p)
	}
	b.mustContain("[role=status]", "Recorded Taxa 4x35, 249.50 DKK (COMPLETED, review NOT_SET).")
	row := "#entry-" + entryID
	b.mustContain(row, "Taxa 4x35", "Taxi to the airport", "Out of pocket", "249.50 DKK", "1 receipt", "COMPLETED", "NOT_SET", "NOT_EXPORTED")
	e, err := lb.Store.AccountingEntry(context.Background(), entryID)
	if err != nil || len(e.ReceiptIDs) != 1 || e.Family != "OUT_OF_POCKET" {
		t.Fatalf("stored entry %+v, %v", e, err)
	}

	// The bookkeeper sees the company's entries, reviews this one OK.
	b.signInTo(seed.BookkeeperEmail, "/spending")
	b.mustContain("main", "The company's entries", "Export")
	b.mustContain(row, "Eva Employee", "NOT_SET")
	b.checkScreen("bookkeeper's page")
	// What the bookkeeper sees of the list on one screen: the newest entries with their review forms.
	eval[bool](b, `(() => { document.querySelector('#entries').scrollIntoView(); return true; })()`)
	b.save("spending-bookkeeper", chromedp.CaptureScreenshot())
	b.do("choose OK", chromedp.SetValue(chromedp.CSS("#review-"+entryID), "OK"))
	b.click(row + " .review-form button[type=submit]")
	if p := b.path(); !strings.HasSuffix(p, row) {
		t.Fatalf("after the review the browser is on %s, want the page at the entry", p)
	}
	b.mustContain("[role=status]", "Reviewed Taxa 4x35, 249.50 DKK (COMPLETED, review OK).")
	b.mustContain(row+" .entry-review", "OK")
	if e, _ := lb.Store.AccountingEntry(context.Background(), entryID); e.ReviewStatus != "OK" {
		t.Errorf("review status %s, want OK", e.ReviewStatus)
	}

	// The bookkeeper filters by review status and finds it.
	b.do("filter by review OK", chromedp.SetValue(chromedp.CSS("#filter-review"), "OK"))
	b.click(".spend-filters button[type=submit]")
	b.mustContain("#entries caption", "matching the filters")
	b.mustContain(row, "Taxa 4x35")
}

// inViewNow reports whether the element matching css lies inside the
// viewport as the page is scrolled now.
func (b *browser) inViewNow(css string) bool {
	b.t.Helper()
	return eval[bool](b, `(() => {
		const r = document.querySelector(`+jsString(css)+`).getBoundingClientRect();
		return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
	})()`)
}
