package api

// taxCodeRoutes lists this resource's routes; table() in routes.go includes them.
func (a *API) taxCodeRoutes() []route {
	return nil
}
