package api

// exportRoutes lists this resource's routes; table() in routes.go includes them.
func (a *API) exportRoutes() []route {
	return nil
}
