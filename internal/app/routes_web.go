package app

import (
	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/ui"
)

// webRoutes serves the human side: the start page, the playground and the
// emulated Pleo web app's connected-apps page.
func (a *App) webRoutes(r chi.Router, as *authserver.Server, pages *ui.Renderer) {
}
