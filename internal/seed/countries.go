package seed

// Plausible spending for a company's country (emulator choice, not Pleo
// data): the merchants its employees buy from at home, and the foreign
// currencies they most often pay in, likeliest first. Every foreign
// currency has a pleo.ReferenceRate.

type countryProfile struct {
	merchants []string
	foreign   []string
}

var countryProfiles = map[string]countryProfile{
	"DK": {merchants: denmark.merchants, foreign: []string{"EUR", "SEK", "NOK", "GBP", "USD"}},
	"SE": {merchants: sweden.merchants, foreign: []string{"EUR", "NOK", "DKK", "GBP", "USD"}},
	"NO": {merchants: []string{"Vy", "Norwegian Air Shuttle", "Rema 1000", "Kiwi", "Narvesen", "Elkjøp", "Apple", "Google Workspace",
		"Amazon Web Services", "Slack", "Zoom", "Uber", "Circle K", "Thon Hotels", "IKEA"}, foreign: []string{"EUR", "SEK", "DKK", "GBP", "USD"}},
	"GB": {merchants: []string{"Trainline", "British Airways", "Tesco", "Pret A Manger", "Transport for London", "Premier Inn", "Apple",
		"Google Workspace", "Amazon Web Services", "Slack", "Zoom", "Uber", "Ryman", "Currys", "IKEA"}, foreign: []string{"EUR", "USD", "CHF", "DKK", "SEK"}},
	"DE": {merchants: []string{"Deutsche Bahn", "Lufthansa", "REWE", "Edeka", "MediaMarkt", "Motel One", "Aral", "Apple", "Google Workspace",
		"Amazon Web Services", "Slack", "Zoom", "Uber", "dm-drogerie markt", "IKEA"}, foreign: []string{"CHF", "GBP", "USD", "PLN", "CZK", "DKK"}},
	"ES": {merchants: []string{"Renfe", "Iberia", "Mercadona", "El Corte Inglés", "NH Hotels", "Cabify", "Repsol", "Apple", "Google Workspace",
		"Amazon Web Services", "Slack", "Zoom", "Uber", "IKEA"}, foreign: []string{"GBP", "USD", "CHF"}},
	"FR": {merchants: []string{"SNCF", "Air France", "Carrefour", "Monoprix", "Fnac", "Accor Hotels", "TotalEnergies", "Apple", "Google Workspace",
		"Amazon Web Services", "Slack", "Zoom", "Uber", "IKEA"}, foreign: []string{"GBP", "CHF", "USD"}},
	"NL": {merchants: []string{"NS", "KLM", "Albert Heijn", "Jumbo", "Coolblue", "Bagels & Beans", "Shell", "Apple", "Google Workspace",
		"Amazon Web Services", "Slack", "Zoom", "Uber", "IKEA"}, foreign: []string{"GBP", "USD", "CHF", "DKK"}},
	"IE": {merchants: []string{"Irish Rail", "Aer Lingus", "Tesco Ireland", "Dunnes Stores", "Insomnia Coffee", "Circle K", "Apple", "Google Workspace",
		"Amazon Web Services", "Slack", "Zoom", "Uber", "IKEA"}, foreign: []string{"GBP", "USD"}},
	"FI": {merchants: []string{"VR", "Finnair", "K-Market", "S-Market", "Verkkokauppa.com", "Scandic Hotels", "Neste", "Apple", "Google Workspace",
		"Amazon Web Services", "Slack", "Zoom", "Uber", "IKEA"}, foreign: []string{"SEK", "NOK", "USD", "GBP"}},
}

// internationalProfile is the profile of a country without one of its own.
var internationalProfile = countryProfile{
	merchants: []string{"Apple", "Google Workspace", "Amazon Web Services", "Slack", "Zoom", "Uber", "IKEA", "Hilton", "Starbucks", "Shell"},
	foreign:   []string{"EUR", "USD", "GBP"},
}

func profileOf(country string) countryProfile {
	if p, ok := countryProfiles[country]; ok {
		return p
	}
	return internationalProfile
}

// foreignMerchants are merchants paid in each foreign currency.
var foreignMerchants = map[string][]string{
	"EUR": {"Lufthansa", "Deutsche Bahn", "Air France", "Accor Hotels", "Hotel Adlon Kempinski", "KLM", "Starbucks Amsterdam Centraal"},
	"USD": {"Amazon.com", "GitHub", "Figma", "Notion Labs", "Delta Air Lines", "Marriott New York", "Lyft"},
	"GBP": {"British Airways", "Transport for London", "Pret A Manger", "Premier Inn", "Trainline"},
	"SEK": {"SJ", "ICA", "Espresso House", "Scandic Hotels", "Pressbyrån"},
	"NOK": {"Vy", "Narvesen", "Thon Hotels", "Rema 1000"},
	"DKK": {"DSB", "Netto", "Joe & The Juice", "Arp-Hansen Hotel Group"},
	"CHF": {"SBB CFF FFS", "Swiss International Air Lines", "Coop Pronto"},
	"PLN": {"PKP Intercity", "LOT Polish Airlines", "Żabka"},
	"CZK": {"České dráhy", "Albert", "Hotel Pupp"},
}
