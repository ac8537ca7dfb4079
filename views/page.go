package views

import (
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
)

// Assets are the URLs of the embedded assets, versioned by content so the
// browser may cache them for good.
type Assets struct {
	CSS  string
	JS   string
	HTMX string
	WS   string
}

// Chrome is what every page shows around its content: the navigation, the
// live-connection indicator and the state of the data sources.
type Chrome struct {
	Assets Assets
	// Nav names the active navigation entry (NavOverview, …).
	Nav string
	// View is the page's path and query; the page subscribes to it over
	// /ws. Empty for pages that never change (no such page).
	View    string
	Version uint64
	Status  model.Status
	// AsOf is set when the page shows a past model (?at=).
	AsOf *AsOf
	// SignOut offers the sign-out link (viewer login is on).
	SignOut bool
}

// Navigation entries.
const (
	NavOverview = "overview"
	NavTopology = "topology"
	NavServices = "services"
	NavReach    = "reach"
	NavNone     = ""
)

// Fragment is a part of a page that live updates replace as a whole. Its ID is
// the stable DOM id the out-of-band swap targets.
type Fragment struct {
	ID   string
	Body templ.Component
}

// Form is a page's filter form: where it submits and what it currently holds.
type Form struct {
	Action  string
	Filter  viewmodel.Filter
	Suggest viewmodel.Suggestions
}

// Page is a complete page: chrome, heading, optional filter form and the
// fragments that live updates refresh.
type Page struct {
	Chrome  Chrome
	Heading string
	// Form is nil on pages without filters.
	Form *Form
	// Controls are other inputs above the fragments (the reach question);
	// like the form, live updates leave them alone.
	Controls  templ.Component
	Fragments []Fragment
}

// WithSuggestions returns the page with its filter form (if any) offering
// the suggestions. Only whole pages need them: pushes leave the form alone.
func (p Page) WithSuggestions(s viewmodel.Suggestions) Page {
	if p.Form != nil {
		f := *p.Form
		f.Suggest = s
		p.Form = &f
	}
	return p
}

// IDs of the chrome elements that live updates refresh on every page.
const (
	IDVersion = "snapshot-version"
	IDSources = "source-status"
	IDShape   = "page-shape"
)

// shapeOf names the page's layout by its fragment IDs.
func shapeOf(p Page) string {
	ids := make([]string, len(p.Fragments))
	for i, f := range p.Fragments {
		ids[i] = f.ID
	}
	return strings.Join(ids, " ")
}

// wsURL is the websocket address a page subscribes with.
func wsURL(view string) string {
	return "/ws?view=" + url.QueryEscape(view)
}
