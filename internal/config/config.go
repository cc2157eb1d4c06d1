// Package config turns flags, environment variables and an optional config
// file into a validated Config. Precedence: flag > environment > file >
// PLEO_EMULATOR_DEFAULT_<NAME> (a container image's defaults) > built-in default.
// Every flag --name has the environment variable PLEO_EMULATOR_NAME (upper
// case, dashes as underscores) and the file key name (dashes as underscores).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the emulator's complete configuration.
type Config struct {
	Addr            string        // listen address
	PublicURL       string        // base URL written into metadata, tokens and redirects; no trailing slash
	DB              string        // SQLite path, or ":memory:"
	Seed            string        // "demo" or "none"
	ConfigFile      string        // optional YAML or JSON file
	LogFormat       string        // "text" or "json"
	LogLevel        string        // "debug", "info", "warn" or "error"
	CodeTTL         time.Duration // authorisation code lifetime
	AccessTokenTTL  time.Duration // access token lifetime
	RefreshTokenTTL time.Duration // refresh token lifetime
	SessionTTL      time.Duration // login session lifetime
	Control         bool          // serve the control API under /_emulator/
	ControlToken    string        // bearer token the control API requires, if set
	ControlOpen     bool          // without a token, answer control requests from other machines too
	AutoApprove     string        // email of the user for whom every authorisation is approved without screens
	CORSOrigins     string        // browser origins allowed on the token, revocation, metadata and JWKS endpoints: "registered", "*", "none" or origins
	// TokenClaims is the preset for the access token's iss and aud:
	// "emulator" (the public URL and the API base URL) or "pleo" (the values
	// a third-party Pleo client shows; see PleoIssuer).
	TokenClaims   string
	TokenIssuer   string // the access token's iss, overriding the preset ("" keeps it)
	TokenAudience string // the access token's aud, overriding the preset ("" keeps it)
	// APIExportJobsEmit makes export jobs created through the API (by the
	// integration itself) emit v1.export-job.created too; Pleo documents the
	// event for a user's click on Export only.
	APIExportJobsEmit bool
	// SeedSize is the demo seed's size: SeedSmall or SeedLarge.
	SeedSize string
	// LargeSeedEntries, when positive, replaces the number of entries the
	// large seed generates (seed.LargeSeedEntries); not a setting, so that
	// tests of the large seed stay fast.
	LargeSeedEntries int

	Additions Additions // clients, organisations, companies and users from the config file
}

// setting is one configurable value: its flag, default and where it lands.
type setting struct {
	name, usage, def string
	apply            func(c *Config, v string) error
}

func str(dst func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *dst(c) = v; return nil }
}

func dur(dst func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 15m or 1h", v)
		}
		*dst(c) = d
		return nil
	}
}

func boolean(dst func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*dst(c) = b
		return nil
	}
}

// settings lists every configurable value once.
var settings = []setting{
	{"addr", "listen address", "localhost:8080", str(func(c *Config) *string { return &c.Addr })},
	{"public-url", "public base URL for metadata, token iss/aud and redirects", "http://localhost:8080", str(func(c *Config) *string { return &c.PublicURL })},
	{"db", `SQLite database file, or ":memory:"`, "pleo-emulator.db", str(func(c *Config) *string { return &c.DB })},
	{"seed", "data written into an empty database: demo or none", "demo", str(func(c *Config) *string { return &c.Seed })},
	{"log-format", "log format: text or json", "text", str(func(c *Config) *string { return &c.LogFormat })},
	{"log-level", "log level: debug, info, warn or error", "info", str(func(c *Config) *string { return &c.LogLevel })},
	{"code-ttl", "authorisation code lifetime", "10m", dur(func(c *Config) *time.Duration { return &c.CodeTTL })},
	{"access-token-ttl", "access token lifetime", "15m", dur(func(c *Config) *time.Duration { return &c.AccessTokenTTL })},
	{"refresh-token-ttl", "refresh token lifetime", "1440h", dur(func(c *Config) *time.Duration { return &c.RefreshTokenTTL })},
	{"session-ttl", "login session lifetime", "12h", dur(func(c *Config) *time.Duration { return &c.SessionTTL })},
	{"control", "serve the control API under /_emulator/", "true", boolean(func(c *Config) *bool { return &c.Control })},
	{"control-token", "bearer token required by the control API (empty: none)", "", str(func(c *Config) *string { return &c.ControlToken })},
	{"auto-approve", "approve every authorisation as this user's email, without login or consent", "", str(func(c *Config) *string { return &c.AutoApprove })},
	{"token-claims", "access-token iss and aud preset: emulator (public URL, API base URL) or pleo (pleo.production, https://external.pleo.io)", "emulator", str(func(c *Config) *string { return &c.TokenClaims })},
	{"token-issuer", "access-token iss, overriding --token-claims (empty: the preset's)", "", str(func(c *Config) *string { return &c.TokenIssuer })},
	{"token-audience", "access-token aud, overriding --token-claims (empty: the preset's)", "", str(func(c *Config) *string { return &c.TokenAudience })},
	{"cors-origins", `browser origins allowed to call the token, revocation, metadata and JWKS endpoints: "registered" (the origins of registered redirect URIs), "*", "none", or origins separated by spaces (may include "registered")`, "registered", str(func(c *Config) *string { return &c.CORSOrigins })},
	{"webhooks-api-export-jobs", "export jobs created through the API also emit v1.export-job.created", "false", boolean(func(c *Config) *bool { return &c.APIExportJobsEmit })},
	{"control-open", "without --control-token, let other machines use the control API too (default: loopback peers only)", "false", boolean(func(c *Config) *bool { return &c.ControlOpen })},
	{"seed-size", "size of the demo seed: small (220 accounting entries per company) or large (100,000 more in Acme Denmark)", SeedSmall, str(func(c *Config) *string { return &c.SeedSize })},
}

// The sizes of the demo seed (--seed-size).
const (
	SeedSmall = "small"
	SeedLarge = "large"
)

// The "pleo" preset of --token-claims: the iss and aud a third-party Pleo
// client (github.com/pleo-io's ecosystem; see the fidelity table) shows in
// an introspection answer of Pleo's production tokens. Pleo documents
// neither value, and treats tokens as opaque.
const (
	PleoIssuer   = "pleo.production"
	PleoAudience = "https://external.pleo.io"
)

// flagValue is a setting's flag. A true/false setting is a boolean flag,
// so --control-open means --control-open=true, as with the standard flag
// package's own booleans.
type flagValue struct {
	value   string
	boolean bool
}

func (f *flagValue) String() string     { return f.value }
func (f *flagValue) Set(v string) error { f.value = v; return nil }
func (f *flagValue) IsBoolFlag() bool   { return f.boolean }

// EnvName returns the environment variable for a flag name.
func EnvName(flagName string) string {
	return "PLEO_EMULATOR_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// DefaultEnvName returns the environment variable that replaces a flag's
// built-in default: it ranks below the config file, so a container image
// can set its own defaults (listen on every interface, keep the database on
// the volume) without outranking the user's config file.
func DefaultEnvName(flagName string) string {
	return "PLEO_EMULATOR_DEFAULT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Default returns the configuration with every default applied.
func Default() Config {
	var c Config
	for _, s := range settings {
		if err := s.apply(&c, s.def); err != nil {
			panic(err)
		}
	}
	return c
}

// Load parses args (without the program and subcommand names) with getenv,
// reads the config file if one is named, and validates the result. Errors
// are single lines fit to print. flag.ErrHelp is returned for -h.
func Load(name string, args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(usage)
	flagValues := map[string]*string{}
	for _, s := range settings {
		v := &flagValue{value: s.def, boolean: s.def == "true" || s.def == "false"}
		fs.Var(v, s.name, s.usage+" (env "+EnvName(s.name)+")")
		flagValues[s.name] = &v.value
	}
	configFile := fs.String("config", "", "YAML or JSON file with settings, clients, organisations, companies and users (env "+EnvName("config")+")")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	c := Config{ConfigFile: *configFile}
	if !set["config"] {
		c.ConfigFile = getenv(EnvName("config"))
	}
	var file *File
	if c.ConfigFile != "" {
		f, err := ReadFile(c.ConfigFile)
		if err != nil {
			return Config{}, err
		}
		file = f
		c.Additions = f.Additions
	}
	for _, s := range settings {
		v, from := s.def, "default"
		if dv := getenv(DefaultEnvName(s.name)); dv != "" {
			v, from = dv, DefaultEnvName(s.name)
		}
		if fv, ok := file.setting(s.name); ok {
			v, from = fv, "config file"
		}
		if ev := getenv(EnvName(s.name)); ev != "" {
			v, from = ev, EnvName(s.name)
		}
		if set[s.name] {
			v, from = *flagValues[s.name], "--"+s.name
		}
		if err := s.apply(&c, v); err != nil {
			return Config{}, fmt.Errorf("%s (from %s): %w", s.name, from, err)
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks the settings and the config file's additions.
func (c *Config) Validate() error {
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("public-url %q must be an absolute http(s) URL without query or fragment", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Addr == "" {
		return errors.New("addr must not be empty")
	}
	if c.DB == "" {
		return errors.New("db must not be empty")
	}
	if c.Seed != "demo" && c.Seed != "none" {
		return fmt.Errorf("seed %q must be demo or none", c.Seed)
	}
	if c.SeedSize != SeedSmall && c.SeedSize != SeedLarge {
		return fmt.Errorf("seed-size %q must be small or large", c.SeedSize)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log-format %q must be text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level %q must be debug, info, warn or error", c.LogLevel)
	}
	if c.TokenClaims != "emulator" && c.TokenClaims != "pleo" {
		return fmt.Errorf("token-claims %q must be emulator or pleo", c.TokenClaims)
	}
	for name, v := range map[string]string{"token-issuer": c.TokenIssuer, "token-audience": c.TokenAudience} {
		if err := validStringOrURI(v); err != nil {
			return fmt.Errorf("%s %q %w", name, v, err)
		}
	}
	if err := validateCORSOrigins(c.CORSOrigins); err != nil {
		return err
	}
	return c.Additions.validate(c.Seed == "demo", c.PublicURL)
}

// validateCORSOrigins accepts "registered", "*", "none" or a list of
// origins (scheme://host[:port]), which may include "registered".
func validateCORSOrigins(v string) error {
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return errors.New(`cors-origins must not be empty: use "none" to allow no browser origin`)
	}
	for _, f := range fields {
		if (f == "*" || f == "none") && len(fields) == 1 || f == "registered" {
			continue
		}
		u, err := url.Parse(f)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return fmt.Errorf(`cors-origins %q: %q is not an origin such as http://localhost:5173 (or "registered", "*", "none" alone)`, v, f)
		}
	}
	return nil
}

// validStringOrURI checks an iss or aud value (RFC 7519 §2 StringOrURI: a
// value with a colon must be a URI). Empty means "not set".
func validStringOrURI(v string) error {
	if v == "" {
		return nil
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return errors.New("must not contain spaces or control characters")
		}
	}
	if strings.Contains(v, ":") {
		if u, err := url.Parse(v); err != nil || u.Scheme == "" {
			return errors.New("contains a colon, so it must be a URI (RFC 7519 §2)")
		}
	}
	return nil
}

// AccessTokenIssuer is the iss of every access token: --token-issuer, else
// the --token-claims preset's (the public URL, or PleoIssuer).
func (c *Config) AccessTokenIssuer() string {
	return c.tokenClaim(c.TokenIssuer, PleoIssuer, c.PublicURL)
}

// AccessTokenAudience is the aud of every access token: --token-audience,
// else the --token-claims preset's (the API base URL, or PleoAudience).
func (c *Config) AccessTokenAudience() string {
	return c.tokenClaim(c.TokenAudience, PleoAudience, c.APIBaseURL())
}

// tokenClaim is the value of an access-token claim: given (the flag that
// sets the claim) when not empty, else the --token-claims preset's value,
// pleo for "pleo" and emulator for "emulator".
func (c *Config) tokenClaim(given, pleo, emulator string) string {
	switch {
	case given != "":
		return given
	case c.TokenClaims == "pleo":
		return pleo
	}
	return emulator
}

// StrictIssuerMismatch reports whether access tokens carry an iss other
// than the metadata's issuer (the public URL). RFC 9068 §4 requires a
// resource server to check that they match, so strict validators (such as
// oauth4webapi's RFC 9068 validation) refuse such tokens.
func (c *Config) StrictIssuerMismatch() bool { return c.AccessTokenIssuer() != c.PublicURL }

// Secure reports whether the public URL is https (cookies then get Secure).
func (c *Config) Secure() bool { return strings.HasPrefix(c.PublicURL, "https://") }

// PublicOrigin is the scheme and host of the public URL (RFC 6454 origin).
func (c *Config) PublicOrigin() string {
	u, err := url.Parse(c.PublicURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// APIBaseURL is the base URL of the mock External API (and, by default, the
// access-token audience; see AccessTokenAudience).
func (c *Config) APIBaseURL() string { return c.PublicURL }

// File is the parsed config file.
type File struct {
	Settings  map[string]string
	Additions Additions
}

func (f *File) setting(name string) (string, bool) {
	if f == nil {
		return "", false
	}
	v, ok := f.Settings[strings.ReplaceAll(name, "-", "_")]
	return v, ok
}

// ReadFile reads and parses a YAML or JSON config file (JSON is YAML).
// Unknown keys are errors, so typos do not pass silently.
func ReadFile(path string) (*File, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	var raw map[string]yaml.Node
	if err := yaml.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("config file %s: %s", path, oneLine(err))
	}
	f := &File{Settings: map[string]string{}}
	known := map[string]bool{}
	for _, s := range settings {
		known[strings.ReplaceAll(s.name, "-", "_")] = true
	}
	for key, node := range raw {
		switch {
		case key == "clients" || key == "organizations" || key == "companies" || key == "users" || key == "receipts":
		case known[key]:
			if node.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("config file %s: %s must be a single value", path, key)
			}
			f.Settings[key] = node.Value
		default:
			return nil, fmt.Errorf("config file %s: unknown key %q", path, key)
		}
	}
	dec := yaml.NewDecoder(strings.NewReader(string(body)))
	dec.KnownFields(true)
	var adds struct {
		Additions `yaml:",inline"`
		Rest      map[string]any `yaml:",inline"`
	}
	if err := dec.Decode(&adds); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config file %s: %s", path, oneLine(err))
	}
	f.Additions = adds.Additions
	for i, rc := range f.Additions.Receipts { // receipt files are relative to the config file
		if rc.File != "" && !filepath.IsAbs(rc.File) {
			f.Additions.Receipts[i].File = filepath.Join(filepath.Dir(path), rc.File)
		}
	}
	return f, nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
