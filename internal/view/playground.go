package view

// PlaygroundPage is the built-in OAuth client that walks the authorisation
// code flow with PKCE step by step. Every form posts csrf_token. The steps
// are: 1 choose a client and scopes (Setup), 2 the authorisation request
// (Request), 3 the callback (Callback), 4 the tokens (Tokens), 5 use the
// tokens (refresh, introspect, revoke, call the API). Exchanges lists every
// HTTP exchange the playground made, newest first.
type PlaygroundPage struct {
	CSRFToken string
	Notice    string // shown in a role=status box
	Error     string // shown in a role=alert box
	Steps     []StepView
	Clients   []OptionView // the client picker (a GET form with field "client")
	Setup     *PlaygroundSetup
	Request   *PlaygroundRequest
	Callback  *PlaygroundCallback
	Tokens    *PlaygroundTokens
	Call      APICallForm
	Exchanges []ExchangeView
	Webhook   *PlaygroundWebhook // the built-in webhook receiver; nil before tokens
}

// StepView is one entry of the progress list.
type StepView struct {
	Number int
	Label  string
	State  string // "done", "current" or "todo"
}

// OptionView is one <option> of a select.
type OptionView struct {
	Value    string
	Label    string
	Selected bool
}

// PlaygroundSetup is step 1's form for the chosen client; it posts
// client_id, client_secret, scope (repeated) and subject.
type PlaygroundSetup struct {
	ClientID           string
	ClientName         string
	Confidential       bool
	Secret             string // prefilled client secret (the demo client's)
	PKCERequired       bool
	RedirectURI        string
	RedirectRegistered bool // false: the client has not registered RedirectURI
	Scopes             []ScopeOption
	Subjects           []OptionView // subject hint; Value "" means none
}

// ScopeOption is one scope checkbox.
type ScopeOption struct {
	Name        string
	Description string
	Checked     bool
}

// PlaygroundRequest is step 2: the authorisation URL and its parameters.
type PlaygroundRequest struct {
	ClientName   string
	AuthorizeURL string
	Params       []ParamView
	Verifier     string
	Challenge    string
}

// ParamView is a named value with an explanation.
type ParamView struct {
	Name        string
	Value       string
	Explanation string
}

// PlaygroundCallback is step 3: what arrived at the redirect URI.
type PlaygroundCallback struct {
	Params           []ParamView
	StateOK          bool
	StateMessage     string
	Error            string // the OAuth error code, e.g. "access_denied"
	ErrorDescription string
	Code             string
	CodeUsed         bool // the code has been sent to the token endpoint
}

// PlaygroundTokens is step 4: the current tokens, the access token decoded.
type PlaygroundTokens struct {
	TokenType    string
	ExpiresIn    int64
	ExpiresAt    TimeView
	Scope        string
	AccessToken  string
	RefreshToken string
	JWTHeader    string // pretty-printed JSON
	JWTClaims    string // pretty-printed JSON
	Claims       []ParamView
	DecodeError  string // set when the access token is not a readable JWT
}

// APICallForm holds step 5's API call fields.
type APICallForm struct {
	Methods []OptionView
	Path    string
	Body    string
	Paths   []string // suggestions (a datalist)
}

// ExchangeView is one HTTP request the playground sent and its response.
type ExchangeView struct {
	ID              string // anchor, e.g. "exchange-3"
	Title           string
	Note            string // what the exchange shows
	At              TimeView
	Method          string
	URL             string
	RequestHeaders  []HeaderView
	RequestBody     string
	Status          int
	StatusText      string
	Success         bool // 2xx
	ResponseHeaders []HeaderView
	ResponseBody    string
	Open            bool // rendered expanded
}

// HeaderView is one HTTP header line.
type HeaderView struct {
	Name  string
	Value string
}

func (PlaygroundPage) templateName() string { return "playground.html" }
func (PlaygroundPage) title() string        { return "OAuth playground" }
func (PlaygroundPage) section() string      { return "playground" }
