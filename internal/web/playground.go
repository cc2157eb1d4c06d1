package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// Paths of the playground.
const (
	playPath     = "/playground"
	callbackPath = "/playground/callback"
)

// Playground serves GET /playground: the steps of the flow so far.
// ?client=<id> picks the client of step 1.
func (h *Handlers) Playground(w http.ResponseWriter, r *http.Request) {
	s := h.play.get(r)
	if s != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	page, err := h.playgroundPage(r.Context(), s, r.URL.Query().Get("client"))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page.CSRFToken = h.csrf.Token(w, r)
	if s != nil {
		page.Notice, page.Error = s.notice, s.err
		s.notice, s.err = "", ""
	}
	h.pages.Render(w, http.StatusOK, page)
}

// PlaygroundAuthorize serves POST /playground/authorize: it records the
// client, secret, scopes and subject hint, generates state and the PKCE
// pair, and builds the authorisation URL (step 2).
func (h *Handlers) PlaygroundAuthorize(w http.ResponseWriter, r *http.Request) {
	if !h.parsePost(w, r) {
		return
	}
	s := h.play.getOrCreate(w, r, h.opt.SecureCookies)
	s.mu.Lock()
	defer s.mu.Unlock()
	client, err := h.st.Client(r.Context(), r.PostFormValue("client_id"))
	if errors.Is(err, store.ErrNotFound) {
		s.err = "There is no client with that ID."
		seeOther(w, r, playPath)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	back := playPath + "?client=" + url.QueryEscape(client.ID)
	scopes := r.PostForm["scope"]
	if len(scopes) == 0 || !oauth.Subset(scopes, client.Scopes) {
		s.err = "Choose at least one of the client's scopes."
		seeOther(w, r, back)
		return
	}
	secret := r.PostFormValue("client_secret")
	if client.Type == oauth.Confidential && secret == "" {
		s.err = client.Name + " is a confidential client: enter its secret."
		seeOther(w, r, back)
		return
	}
	hint := r.PostFormValue("subject")
	if hint != "" {
		if _, err := oauth.ParseSubject(hint, ""); err != nil {
			s.err = "The company or organisation hint is not a Pleo URN."
			seeOther(w, r, back)
			return
		}
	}
	s.ClientID, s.ClientName, s.Public = client.ID, client.Name, client.Type == oauth.Public
	s.Secret = ""
	if !s.Public {
		s.Secret = secret
	}
	s.Scopes, s.SubjectHint, s.RedirectURI = slices.Clone(scopes), hint, h.opt.PublicURL+callbackPath
	s.State, s.Verifier = randomString(16), randomString(32)
	s.SentState, s.Challenge = s.State, oauth.S256Challenge(s.Verifier)
	q := url.Values{"response_type": {"code"}, "client_id": {client.ID}, "redirect_uri": {s.RedirectURI},
		"scope": {oauth.JoinScope(scopes)}, "state": {s.State}, "code_challenge": {s.Challenge},
		"code_challenge_method": {oauth.MethodS256}}
	if hint != "" {
		q.Set("urn_pleo_params_oauth_subject", hint)
	}
	s.AuthorizeURL = h.opt.PublicURL + "/oauth/authorize?" + q.Encode()
	s.Callback, s.Tokens = nil, nil
	seeOther(w, r, playPath+"#step-2")
}

// PlaygroundCallback serves GET /playground/callback, the playground's
// redirect URI: it checks state against the pending request (which it
// consumes), keeps the code or the error, and shows step 3.
func (h *Handlers) PlaygroundCallback(w http.ResponseWriter, r *http.Request) {
	s := h.play.getOrCreate(w, r, h.opt.SecureCookies)
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	cb := &callbackResult{Error: q.Get("error"), ErrorDesc: q.Get("error_description")}
	for _, name := range callbackOrder(q) {
		cb.Query = append(cb.Query, [2]string{name, q.Get(name)})
	}
	switch {
	case s.State == "":
		cb.StateMsg = "No authorization request is pending in this browser (it was answered already, or the playground forgot it), so this response cannot be trusted."
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(s.State)) != 1:
		cb.StateMsg = "The state does not match the value sent in step 2. A client must reject this response: it may be forged (CSRF)."
	default:
		cb.StateOK = true
		cb.StateMsg = "The state matches the value sent in step 2, so this response answers the playground's own request."
	}
	if cb.StateOK && cb.Error == "" {
		cb.Code = q.Get("code")
	}
	if cb.StateOK {
		s.Tokens = nil // a new answer starts a new set of tokens
	}
	s.State = ""
	s.Callback = cb
	seeOther(w, r, playPath+"#step-3")
}

// PlaygroundReset serves POST /playground/reset: it forgets the browser's flow.
func (h *Handlers) PlaygroundReset(w http.ResponseWriter, r *http.Request) {
	if !h.parsePost(w, r) {
		return
	}
	h.play.drop(w, r, h.opt.SecureCookies)
	seeOther(w, r, playPath)
}

// callbackOrder lists the callback's parameters: the OAuth ones first, then any others.
func callbackOrder(q url.Values) []string {
	known := []string{"code", "state", "error", "error_description", "error_uri", "iss"}
	var names []string
	for _, k := range known {
		if q.Has(k) {
			names = append(names, k)
		}
	}
	var rest []string
	for k := range q {
		if !slices.Contains(known, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

// playgroundPage builds the page for the browser's flow s (nil: none yet);
// pick, when set, chooses step 1's client.
func (h *Handlers) playgroundPage(ctx context.Context, s *playState, pick string) (view.PlaygroundPage, error) {
	var page view.PlaygroundPage
	clients, err := h.st.Clients(ctx)
	if err != nil {
		return page, err
	}
	chosen := choose(clients, pick, s)
	for _, c := range clients {
		page.Clients = append(page.Clients, view.OptionView{Value: c.ID, Label: c.Name + " (" + c.ID + ")", Selected: c.ID == chosen.ID})
	}
	if chosen.ID != "" {
		setup, err := h.setupView(ctx, chosen, s)
		if err != nil {
			return page, err
		}
		page.Setup = &setup
	}
	if s != nil {
		page.Request = requestView(s)
		page.Callback = callbackView(s)
		page.Tokens = h.tokensView(s)
		page.Exchanges = h.exchangeViews(s)
		page.Webhook = h.webhookView(s)
	}
	page.Call = callForm(s, h.opt.APIRoutes)
	page.Steps = steps(page)
	return page, nil
}

// choose picks step 1's client: the one asked for, else the flow's, else
// the demo client, else the first.
func choose(clients []oauth.Client, pick string, s *playState) oauth.Client {
	var want []string
	if pick != "" {
		want = append(want, pick)
	}
	if s != nil && s.ClientID != "" {
		want = append(want, s.ClientID)
	}
	want = append(want, seed.DemoClientID)
	for _, id := range want {
		for _, c := range clients {
			if c.ID == id {
				return c
			}
		}
	}
	if len(clients) > 0 {
		return clients[0]
	}
	return oauth.Client{}
}

func (h *Handlers) setupView(ctx context.Context, c oauth.Client, s *playState) (view.PlaygroundSetup, error) {
	redirect := h.opt.PublicURL + callbackPath
	v := view.PlaygroundSetup{ClientID: c.ID, ClientName: c.Name, Confidential: c.Type == oauth.Confidential,
		PKCERequired: c.PKCERequired, RedirectURI: redirect, RedirectRegistered: slices.Contains(c.RedirectURIs, redirect),
		Secret: demoSecret(c)}
	same := s != nil && s.ClientID == c.ID
	for _, name := range c.Scopes {
		sc, _ := oauth.LookupScope(name)
		checked := strings.HasSuffix(name, ":read")
		if same {
			checked = slices.Contains(s.Scopes, name)
		}
		v.Scopes = append(v.Scopes, view.ScopeOption{Name: name, Description: sc.Description, Checked: checked})
	}
	hint := ""
	if same {
		hint = s.SubjectHint
	}
	v.Subjects = []view.OptionView{{Value: "", Label: "None: the user chooses on the consent screen", Selected: hint == ""}}
	addSubject := func(kind oauth.SubjectKind, id, label string) {
		urn := oauth.Subject{Kind: kind, ID: id}.URN()
		v.Subjects = append(v.Subjects, view.OptionView{Value: urn, Label: label, Selected: hint == urn})
	}
	orgs, err := h.st.Organizations(ctx)
	if err != nil {
		return v, err
	}
	for _, o := range orgs {
		addSubject(oauth.SubjectOrganization, o.ID, o.Name+" (organisation)")
	}
	companies, err := h.st.Companies(ctx)
	if err != nil {
		return v, err
	}
	for _, co := range companies {
		addSubject(oauth.SubjectCompany, co.ID, co.Name+" (company)")
	}
	return v, nil
}

// steps marks each step done, current or still to do.
func steps(p view.PlaygroundPage) []view.StepView {
	labels := []string{"Client and scopes", "Authorization request", "Callback", "Tokens", "Use the tokens"}
	done := []bool{p.Request != nil, p.Callback != nil, p.Tokens != nil, p.Tokens != nil, false}
	out := make([]view.StepView, len(labels))
	current := false
	for i, l := range labels {
		out[i] = view.StepView{Number: i + 1, Label: l, State: "todo"}
		switch {
		case done[i]:
			out[i].State = "done"
		case !current:
			out[i].State = "current"
			current = true
		}
	}
	return out
}
