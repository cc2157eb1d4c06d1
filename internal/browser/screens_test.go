package browser_test

import (
	"bytes"
	"context"
	"image/png"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// viewport is one of the sizes the screens are checked at.
type viewport struct {
	name string
	set  chromedp.Action[chromedp.Void]
}

var viewports = []viewport{{"1280 px", desktopViewport}, {"375 px", phoneViewport}}

// inView reports whether the element matching css lies wholly inside the
// viewport with the page scrolled to the top, and is not covered there.
func (b *browser) inView(css string) bool {
	b.t.Helper()
	return eval[bool](b, `(() => {
		window.scrollTo(0, 0);
		const el = document.querySelector(`+jsString(css)+`);
		if (!el) return false;
		const r = el.getBoundingClientRect();
		if (r.height === 0 || r.top < 0 || r.bottom > window.innerHeight || r.left < 0 || r.right > window.innerWidth) return false;
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return hit !== null && el.contains(hit);
	})()`)
}

// accentShare screenshots the element matching css and returns the share
// of its pixels in the accent colour (#4338ca) of the initials' squares.
func (b *browser) accentShare(css string) float64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", css, err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		b.t.Fatal(err)
	}
	near := func(v uint32, want int) bool { d := int(v>>8) - want; return d > -12 && d < 12 }
	accent, all := 0, 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			all++
			if near(r, 0x43) && near(g, 0x38) && near(bl, 0xca) {
				accent++
			}
		}
	}
	return float64(accent) / float64(all)
}

// jsString quotes s as a JavaScript string literal (s holds no quotes or backslashes).
func jsString(s string) string { return "'" + s + "'" }

// setDemoLogo gives the demo client a logo URL.
func setDemoLogo(t *testing.T, lb *app.Loopback, logoURL string) {
	t.Helper()
	ctx := context.Background()
	c, err := lb.Store.Client(ctx, seed.DemoClientID)
	if err != nil {
		t.Fatal(err)
	}
	c.LogoURL = logoURL
	if err := lb.Store.Write(ctx, func(tx *store.Tx) error { return tx.UpdateClient(ctx, c) }); err != nil {
		t.Fatal(err)
	}
}

// TestConsentLayout requests every scope and checks the consent screen at
// 1280 and 375 px: no site navigation, read and write scopes grouped,
// Approve in view without scrolling, and a logo that fails to load leaves
// the app's initial showing. It saves the consent screenshots.
func TestConsentLayout(t *testing.T) {
	lb := startLoopback(t)
	setDemoLogo(t, lb, lb.URL+"/no-such-logo.png") // answers 404
	b := newBrowser(t, lb.URL)
	b.navigate("/playground")
	n := eval[int](b, `(() => { const all = document.querySelectorAll('input[name=scope]'); all.forEach(c => { c.checked = true; }); return all.length; })()`)
	if n < 15 {
		t.Fatalf("the playground offers %d scopes, want every scope (15)", n)
	}
	b.click("#build-request")
	b.mustContain("#step-2", "vendors:write", "accounts:write")
	b.click("#open-authorize")
	b.logIn()
	b.mustContain("main", "Demo Accounting App", "wants to access your Pleo account",
		"Read access", "9 permissions", "Write access", "5 permissions", "Other access",
		"Create, change and delete this data: export jobs, tag groups, tax codes, vendors, accounts")

	for _, vp := range viewports {
		b.do(vp.name, vp.set)
		if eval[bool](b, `document.querySelector('.site-nav') !== null`) {
			t.Errorf("%s: the consent page shows the site navigation", vp.name)
		}
		if !b.inView(`button[name=decision][value=approve]`) {
			t.Errorf("%s: Approve is not in view without scrolling", vp.name)
		}
		if !b.inView(`button[name=decision][value=deny]`) {
			t.Errorf("%s: Deny is not in view without scrolling", vp.name)
		}
		if !eval[bool](b, `(() => { const img = document.querySelector('.client-logo .logo-image'); return img.complete && img.naturalWidth === 0; })()`) {
			t.Fatalf("%s: the logo did not fail to load", vp.name)
		}
		if share := b.accentShare(".client-logo"); share < 0.5 {
			t.Errorf("%s: the broken logo shows %.0f%% of the initial's coloured square, want most of it (not the broken-image icon)", vp.name, 100*share)
		}
	}
	b.do("desktop viewport", desktopViewport)

	// The write group opens to list each scope with its description.
	b.do("open the write scopes", chromedp.Click(chromedp.CSS(".scope-group-write summary"), chromedp.NodeVisible))
	b.mustContain(".scope-group-write", "vendors:write", "Create, change, archive and activate vendors.")
	b.do("close the write scopes", chromedp.Click(chromedp.CSS(".scope-group-write summary"), chromedp.NodeVisible))

	b.screenshot("consent")
	b.do("phone viewport", phoneViewport)
	b.save("consent-phone", chromedp.CaptureScreenshot()) // what a phone shows before any scrolling
	b.do("desktop viewport", desktopViewport)
	b.approveDenmark()
	if p := b.path(); p != "/playground#step-3" {
		t.Fatalf("after approval the browser is on %s, want /playground#step-3", p)
	}
	b.mustContain("#step-3", "The state matches")
}

// TestSessionEndsOnConsent signs the user out behind the consent page's
// back (the session cookie is gone): Approve then leads to a page that
// offers to sign in again, which comes back to the same request and
// completes it. Checked at 1280 and 375 px.
func TestSessionEndsOnConsent(t *testing.T) {
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			base := startEmulator(t)
			b := newBrowser(t, base)
			b.do(vp.name, vp.set)
			b.beginFlow(false)
			b.logIn()
			b.mustContain("main", "wants to access your Pleo account")
			b.do("choose Acme Denmark", chromedp.Click(chromedp.CSS(`input[name=subject][value="`+denmarkURN+`"]`)))
			ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
			_, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "pleo_emulator_session", URL: base + "/"})
			cancel()
			if err != nil {
				t.Fatalf("end the session: %v", err)
			}
			b.click(`button[name=decision][value=approve]`)
			b.mustContain("main", "Signed out", "this answer was not recorded", "Sign in again and continue")
			if !b.inView(`main a[href^="/login?"]`) {
				t.Errorf("%s: the sign-in link is not in view", vp.name)
			}
			if vp.name == viewports[0].name {
				b.screenshot("consent-signed-out")
			}
			b.click(`main a[href^="/login?"]`)
			b.mustContain("main", "Sign in to connect Demo Accounting App")
			b.logIn()
			b.mustContain("main", "wants to access your Pleo account")
			b.approveDenmark()
			if p := b.path(); p != "/playground#step-3" {
				t.Fatalf("after signing in again and approving the browser is on %s, want /playground#step-3", p)
			}
			b.mustContain("#step-3", "The state matches")
		})
	}
}
