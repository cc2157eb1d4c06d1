package view

// SpendingPage is the emulated Pleo web app's spending page for one
// company and the signed-in user: a form to record a purchase or an
// out-of-pocket expense with its receipt (for a user who is an employee
// of the company), and the company's accounting entries with their
// status, review status and export status: every entry for a reviewer
// (admin or bookkeeper), the user's own for anyone else. A reviewer's
// rows carry a review form.
type SpendingPage struct {
	CSRFToken string
	UserName  string
	UserEmail string
	// Companies feeds the company picker (a GET form with field company);
	// it is shown when the user belongs to more than one company.
	Companies   []OptionView
	CompanyID   string
	CompanyName string
	Role        string // the user's role in the company, e.g. "Bookkeeper"
	// Reviewer: the user reviews the company's entries and sees all of
	// them; otherwise the list holds only the user's own entries.
	Reviewer bool
	// Notice is a confirmation shown in a role=status box. It comes from
	// the server's own record of what happened, never from the URL.
	Notice string
	// Error is a problem with an action that is not one form field's,
	// shown in a role=alert box (e.g. a review move the lifecycle forbids).
	Error string
	// Record is the record form; nil when the user is no employee of the
	// company (and so has nothing to record).
	Record *SpendForm
	// Filters is the list's filter form (a GET form).
	Filters SpendFilters
	Entries []SpendEntryView
	// Total counts the entries matching the filters, on every page.
	Total int64
	// NewerURL and OlderURL page through the list; "" at either end.
	NewerURL, OlderURL string
	// ReviewAction is the review forms' POST target; each posts
	// csrf_token, entry_id, review_status and return.
	ReviewAction string
	// ReturnQuery is the hidden return field of the review forms: the
	// list's query, so the page comes back as it was.
	ReturnQuery string
}

// SpendForm is the form that records a purchase or an out-of-pocket
// expense. It posts multipart/form-data to Action: csrf_token, company_id,
// kind, merchant, date (YYYY-MM-DD), amount, currency, note and the
// receipt file.
type SpendForm struct {
	Action     string
	Kinds      []OptionView // radio group kind
	Merchant   string
	Date       string // YYYY-MM-DD
	MaxDate    string // today, on the emulator's clock
	Amount     string
	Currencies []OptionView
	Note       string
	// ReceiptLimit is the largest receipt accepted, for people, e.g. "10 MiB".
	ReceiptLimit string
	// Errors are the form's problems, in the order of the fields; each
	// names the id of its field, which the error summary links to.
	Errors []FieldError
}

// FieldError is one problem with one form field.
type FieldError struct {
	Field   string // the field's element id
	Message string
}

// ErrorFor returns the message of the field with element id, or "".
func (f SpendForm) ErrorFor(id string) string {
	for _, e := range f.Errors {
		if e.Field == id {
			return e.Message
		}
	}
	return ""
}

// SpendFilters is the list's filter form.
type SpendFilters struct {
	Selects  []SelectView
	Active   bool   // a filter is set
	ClearURL string // the list without filters
}

// SelectView is one labelled select; a filter's first option, with the
// empty value, means "any".
type SelectView struct {
	ID, Name, Label string
	Options         []OptionView
}

// SpendEntryView is one accounting entry in the list.
type SpendEntryView struct {
	ID           string
	PerformedAt  TimeView
	Date         string // e.g. "5 Dec 2026"
	Merchant     string
	Employee     string // the employee's name, or "" when the entry has none
	Kind         string // e.g. "Card purchase, online"
	Family       string // e.g. CARD_PURCHASE
	SubFamily    string
	Amount       string // transaction value, e.g. "125.00 DKK"
	BillAmount   string // the value in the wallet's currency when it differs, else ""
	Note         string
	Receipts     int
	Status       string // AccountingEntryStatus
	ReviewStatus string
	ExportStatus string
	// StatusTone, ReviewTone and ExportTone are "ok", "wait" or "bad",
	// for the badges' colour.
	StatusTone, ReviewTone, ExportTone string
	// ReviewOptions are the review statuses a reviewer may set on this
	// row; none means no review form. The entry's own status is selected,
	// or an empty "choose" option leads when it is none of them.
	ReviewOptions []OptionView
}

func (SpendingPage) templateName() string { return "spending.html" }
func (SpendingPage) title() string        { return "Spending" }
func (SpendingPage) section() string      { return "spending" }
