// Package templates embeds the HTML templates and stylesheet of the emulator's screens.
package templates

import "embed"

// FS holds the page templates (*.html) and the stylesheet (app.css).
//
//go:embed *.html *.css
var FS embed.FS
