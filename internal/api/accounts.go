package api

// accountRoutes lists this resource's routes; table() in routes.go includes them.
func (a *API) accountRoutes() []route {
	return nil
}
