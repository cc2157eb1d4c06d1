package api

// vendorRoutes lists this resource's routes; table() in routes.go includes them.
func (a *API) vendorRoutes() []route {
	return nil
}
