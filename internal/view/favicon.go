package view

import "net/http"

// FaviconPath is where browsers look for a site icon without being told.
const FaviconPath = "/favicon.ico"

// favicon is the header's brand mark (a white P on the accent colour) as SVG,
// which every current browser takes as an icon whatever the file name.
const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
	`<rect width="32" height="32" rx="6" fill="#4338ca"/>` +
	`<text x="16" y="23" font-family="system-ui,sans-serif" font-size="20" font-weight="700" fill="#fff" text-anchor="middle">P</text></svg>`

// FaviconHandler serves the icon for GET and HEAD (a day's caching).
func FaviconHandler(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(favicon))
}
