// Package browser holds the emulator's browser tests: they drive Debian's
// chromium headless through github.com/chromedp/chromedp against an
// in-process emulator, click through login, consent, the playground and the
// connected-apps page, and save a screenshot of every screen.
//
// Without a chromium binary the tests skip, unless
// PLEO_EMULATOR_REQUIRE_BROWSER=1 (CI), where they fail. Run them with
// -update-screenshots (or PLEO_EMULATOR_UPDATE_SCREENSHOTS=1) to rewrite
// docs/screenshots.
package browser
