package emulatortest

// WithPleoTokenClaims makes access tokens carry the iss and aud a
// third-party Pleo client shows for Pleo's production tokens
// ("pleo.production" and "https://external.pleo.io"), like the server flag
// --token-claims pleo, for integrations whose own token checks expect them.
// Pleo documents neither value. The emulator's API, introspection and
// verifier accept such tokens; a strict RFC 9068 validator refuses them,
// because their iss is not the metadata's issuer (URL).
func WithPleoTokenClaims() Option {
	return func(s *settings) { s.cfg.TokenClaims = "pleo" }
}

// WithTokenIssuer sets the access tokens' iss (--token-issuer).
func WithTokenIssuer(iss string) Option {
	return func(s *settings) { s.cfg.TokenIssuer = iss }
}

// WithTokenAudience sets the access tokens' aud (--token-audience).
func WithTokenAudience(aud string) Option {
	return func(s *settings) { s.cfg.TokenAudience = aud }
}

// TokenIssuer is the iss of the emulator's access tokens: URL unless
// WithPleoTokenClaims or WithTokenIssuer changed it.
func (e *Emulator) TokenIssuer() string { return e.lb.Config.AccessTokenIssuer() }

// TokenAudience is the aud of the emulator's access tokens: APIBaseURL
// unless WithPleoTokenClaims or WithTokenAudience changed it.
func (e *Emulator) TokenAudience() string { return e.lb.Config.AccessTokenAudience() }
