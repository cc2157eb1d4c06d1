package api

// tagRoutes lists this resource's routes; table() in routes.go includes them.
func (a *API) tagRoutes() []route {
	return nil
}
