package authserver

import (
	"encoding/json"
	"net/http"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// Metadata is the RFC 8414 authorisation server metadata. Pleo publishes
// none; the document is an emulator addition so clients can discover the
// endpoints and keys.
type Metadata struct {
	Issuer                                     string   `json:"issuer"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	IntrospectionEndpoint                      string   `json:"introspection_endpoint"`
	RevocationEndpoint                         string   `json:"revocation_endpoint"`
	JWKSURI                                    string   `json:"jwks_uri"`
	ScopesSupported                            []string `json:"scopes_supported"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	ResponseModesSupported                     []string `json:"response_modes_supported"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported  []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported     []string `json:"revocation_endpoint_auth_methods_supported"`
	AuthorizationResponseIssParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
}

// Metadata returns the metadata document; every URL derives from the public URL.
func (s *Server) Metadata() Metadata {
	u := s.opt.PublicURL
	auth := []string{"client_secret_basic", "client_secret_post", "none"}
	return Metadata{
		Issuer:                                    u,
		AuthorizationEndpoint:                     u + "/oauth/authorize",
		TokenEndpoint:                             u + "/oauth/token",
		IntrospectionEndpoint:                     u + "/oauth/token/introspect",
		RevocationEndpoint:                        u + "/oauth/revoke",
		JWKSURI:                                   u + "/.well-known/jwks.json",
		ScopesSupported:                           oauth.ScopeNames(),
		ResponseTypesSupported:                    []string{"code"},
		ResponseModesSupported:                    []string{"query"},
		GrantTypesSupported:                       []string{"authorization_code", "refresh_token"},
		CodeChallengeMethodsSupported:             []string{oauth.MethodS256},
		TokenEndpointAuthMethodsSupported:         auth,
		IntrospectionEndpointAuthMethodsSupported: auth,
		RevocationEndpointAuthMethodsSupported:    auth,
		// RFC 9207 §3: every authorisation response carries iss (emulator choice).
		AuthorizationResponseIssParameterSupported: true,
	}
}

// ServeMetadata serves GET /.well-known/oauth-authorization-server.
func (s *Server) ServeMetadata(w http.ResponseWriter, _ *http.Request) {
	writePublicJSON(w, s.Metadata())
}

// ServeJWKS serves GET /.well-known/jwks.json: the active key and every
// retired key not yet removed. It waits for the first key if it is still
// being generated.
func (s *Server) ServeJWKS(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.keys.Active(r.Context()); err != nil {
		http.Error(w, "signing key unavailable", http.StatusServiceUnavailable)
		return
	}
	writePublicJSON(w, map[string]any{"keys": s.keys.JWKS()})
}

func writePublicJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_ = json.NewEncoder(w).Encode(v)
}
