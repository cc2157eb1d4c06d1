package view

// WebhooksPage lists the webhook subscriptions and their latest
// deliveries with every attempt, and offers the customer actions that fire
// events to a signed-in admin or bookkeeper. Each action form posts
// csrf_token and company_id: ExportAction creates an export job,
// VendorAction (with name and currency) a vendor.
type WebhooksPage struct {
	CSRFToken    string
	ExportAction string // e.g. "/webhooks/export"
	VendorAction string // e.g. "/webhooks/vendor"
	Notice       string // shown in a role=status box
	Error        string // shown in a role=alert box
	// SignedIn is false without a session: the page then links to LoginURL
	// instead of showing the actions.
	SignedIn  bool
	UserEmail string
	LoginURL  string
	Companies []WebhookCompanyView // the companies the user administers
	// Subscriptions lists every subscription, newest first.
	Subscriptions []WebhookSubscriptionView
	// Filter is the subscription whose deliveries are shown ("" for all);
	// FilterOptions feeds its select.
	Filter        string
	FilterOptions []OptionView
	Deliveries    []WebhookDeliveryView
	// DeliveryLimit is how many deliveries the page shows at most.
	DeliveryLimit int
}

// WebhookCompanyView is one company the signed-in user can act for.
type WebhookCompanyView struct {
	ID       string
	Name     string
	Role     string // e.g. "Bookkeeper"
	Currency string // the vendor form's default currency
	// ExportLabel is the export button's text, e.g. "Export to Acme
	// Accounting": Pleo names the accounting app in that button.
	ExportLabel string
}

// WebhookSubscriptionView is one subscription as the page shows it
// (without its secret or endpoint credentials).
type WebhookSubscriptionView struct {
	ID            string
	ClientName    string
	ClientID      string
	Subject       string // URN
	EndpointURL   string
	EventTypes    []string
	Status        string // ACTIVE or INACTIVE
	Deleted       bool
	FailingSince  TimeView // zero value: not failing
	CreatedAt     TimeView
	DeliveriesURL string // the page filtered to this subscription
}

// WebhookDeliveryView is one message to one subscription and its attempts.
type WebhookDeliveryView struct {
	ID             string // the webhook-id
	EventID        string
	EventType      string
	SubscriptionID string
	State          string // pending, succeeded, failed or cancelled
	NextAttempt    TimeView
	CreatedAt      TimeView
	Attempts       []WebhookAttemptView
}

// WebhookAttemptView is one try at a delivery: the request sent and the
// answer (or why none came).
type WebhookAttemptView struct {
	Number         int
	At             TimeView
	RequestHeaders []HeaderView
	RequestBody    string
	Status         int    // 0: no answer
	StatusText     string // e.g. "200 OK", or "no answer"
	Success        bool
	ResponseBody   string // capped by the dispatcher
	Error          string
	Duration       string // e.g. "3.2 ms"
	Note           string // a fault that shaped the attempt
}

func (WebhooksPage) templateName() string { return "webhooks.html" }
func (WebhooksPage) title() string        { return "Webhooks" }
func (WebhooksPage) section() string      { return "webhooks" }

// PlaygroundWebhook is the playground's built-in receiver: a form posting
// csrf_token to /playground/webhook-subscribe, then the subscription and
// every delivery that arrived, verified step by step.
type PlaygroundWebhook struct {
	CanSubscribe   bool // the tokens carry export-jobs:read
	ReceiverURL    string
	SubscriptionID string
	Secret         string
	EventTypes     []string
	DeliveriesURL  string // the webhooks page filtered to the subscription
	Arrivals       []WebhookArrivalView
}

// WebhookArrivalView is one delivery the built-in receiver got.
type WebhookArrivalView struct {
	At               TimeView
	WebhookID        string
	Timestamp        string // webhook-timestamp, Unix seconds
	TimestampAge     string // how old the timestamp was on arrival, emulator time
	Signature        string // webhook-signature as received
	SignedContent    string // "<id>.<timestamp>.<body>"
	Expected         string // the signature computed with the secret
	SignatureMatches bool
	Verified         bool // the reference Standard Webhooks library's verdict
	VerifyError      string
	Answer           int // the receiver's answer status
	Body             string
	EventType        string // payload.eventType
	DataID           string // payload.data.id
}
