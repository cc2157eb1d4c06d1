// Package migrations embeds the SQL migrations. Files are applied in name
// order, once each; never edit a file that has been released.
package migrations

import "embed"

//go:embed *.sql
var FS embed.FS
