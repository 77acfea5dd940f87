// Package layout holds the page shell every screen renders inside.
package layout

// Page is what the shell needs from the request: title, signed-in user, navigation, CSRF
// token and flash messages. Handlers get one from server.PageOf.
type Page struct {
	Title     string
	Active    string // nav key of the current area
	User      *User
	Nav       []NavItem
	CSRFToken string
	Flashes   []Flash
	Path      string
}

// User is the signed-in person as the shell shows them.
type User struct {
	Username    string
	DisplayName string
	StoreScope  string // "All stores" or the store names
}

// NavItem is one sidebar entry.
type NavItem struct {
	Key   string
	Label string
	Href  string
	Badge int
	Alarm bool // Badge counts what is failing (red), not what is waiting (amber)
	Items []NavItem
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    string // success | error | info
	Message string
}
