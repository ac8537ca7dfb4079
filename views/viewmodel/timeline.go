package viewmodel

import (
	"net/url"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/history"
)

// Parameters of the timeline and of time travel.
const (
	// ParamAt asks any page for the model as of a past time.
	ParamAt      = "at"
	ParamGroup   = "group"
	ParamAlloc   = "alloc"
	ParamService = "service"
	ParamKind    = "kind"
	ParamSince   = "since"
	ParamUntil   = "until"
	ParamLimit   = "limit"
)

// defaultSince is the timeline's window when the query names none.
const defaultSince = "1h"

// TimelineQuery is the timeline's filter as the page and the API read it:
// the text as written (for the form) and the query it means.
type TimelineQuery struct {
	Namespace string `json:"namespace,omitempty"`
	Job       string `json:"job,omitempty"`
	Group     string `json:"group,omitempty"`
	Service   string `json:"service,omitempty"`
	Node      string `json:"node,omitempty"`
	Alloc     string `json:"alloc,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Since     string `json:"since"`
	Until     string `json:"until,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// TimelineQueryFromQuery reads the timeline's parameters.
func TimelineQueryFromQuery(q url.Values) TimelineQuery {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	t := TimelineQuery{Namespace: get(ParamNamespace), Job: get(ParamJob), Group: get(ParamGroup), Service: get(ParamService),
		Node: get(ParamNode), Alloc: get(ParamAlloc), Kind: get(ParamKind), Since: get(ParamSince), Until: get(ParamUntil)}
	if t.Since == "" {
		t.Since = defaultSince
	}
	return t
}

// Values is the query string of the filter (for the live refresh).
func (t TimelineQuery) Values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{ParamNamespace: t.Namespace, ParamJob: t.Job, ParamGroup: t.Group, ParamService: t.Service,
		ParamNode: t.Node, ParamAlloc: t.Alloc, ParamKind: t.Kind, ParamSince: t.Since, ParamUntil: t.Until} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// Query is the history query the filter means at now; an unreadable
// time is an error for the page to show.
func (t TimelineQuery) Query(now time.Time) (history.Query, error) {
	q := history.Query{Namespace: t.Namespace, Job: t.Job, Group: t.Group, Service: t.Service, Node: t.Node, Alloc: t.Alloc, Limit: t.Limit}
	var err error
	if q.Since, q.Until, err = history.ParseWindow(t.Since, t.Until, now); err != nil {
		return q, err
	}
	q.Kinds = history.ParseKinds(t.Kind)
	return q, nil
}

// Timeline is the /timeline page and the /api/v1/timeline body.
type Timeline struct {
	Query TimelineQuery `json:"query"`
	// From and To are the times the query covers.
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitzero"`
	// Error says why there are no entries: history off or unavailable, or
	// a time that could not be read.
	Error   string          `json:"error,omitempty"`
	Entries []TimelineEntry `json:"entries"`
	// Kinds are the kinds one may filter on.
	Kinds []history.Kind `json:"kinds"`
}

// TimelineEntry is an entry with links to its subjects and to the
// topology just before and just after it.
type TimelineEntry struct {
	history.Entry
	Links      []Link `json:"links,omitempty"`
	BeforeHref string `json:"before_href"`
	AfterHref  string `json:"after_href"`
}

// NewTimeline builds the timeline from the entries read for q.
func NewTimeline(q TimelineQuery, hq history.Query, entries []history.Entry, err error) Timeline {
	t := Timeline{Query: q, From: hq.Since, To: hq.Until, Entries: []TimelineEntry{}, Kinds: history.Kinds}
	if err != nil {
		t.Error = err.Error()
		return t
	}
	for _, e := range entries {
		t.Entries = append(t.Entries, TimelineEntry{Entry: e, Links: entryLinks(e),
			BeforeHref: AtHref(TopologyHref(Filter{Namespace: e.Namespace, Job: e.Job}), e.Time.Add(-time.Second)),
			AfterHref:  AtHref(TopologyHref(Filter{Namespace: e.Namespace, Job: e.Job}), e.Time.Add(time.Second))})
	}
	return t
}

// entryLinks are the pages of an entry's subjects, as they are now.
func entryLinks(e history.Entry) []Link {
	var out []Link
	if e.Job != "" {
		out = append(out, Link{Text: "job " + e.Job, Href: TopologyHref(Filter{Namespace: e.Namespace, Job: e.Job})})
	}
	if e.Alloc != "" {
		out = append(out, Link{Text: "alloc " + ShortID(e.Alloc), Href: AllocationHref(e.Alloc)})
	}
	if e.Service != "" {
		out = append(out, Link{Text: "service " + e.Service, Href: ServiceHref(e.Service)})
	}
	if e.Node != "" {
		text := e.NodeName
		if text == "" {
			text = ShortID(e.Node)
		}
		out = append(out, Link{Text: "node " + text, Href: NodeHref(e.Node)})
	}
	return out
}

// AtHref adds ?at=t to a page address.
func AtHref(href string, t time.Time) string {
	sep := "?"
	if strings.Contains(href, "?") {
		sep = "&"
	}
	return href + sep + ParamAt + "=" + url.QueryEscape(t.UTC().Format(time.RFC3339))
}

// Diff is the /diff page and the /api/v1/diff body: what appeared,
// disappeared or changed between the model at From and at To.
type Diff struct {
	FromText string    `json:"from_text"`
	ToText   string    `json:"to_text,omitempty"`
	From     time.Time `json:"from,omitzero"`
	To       time.Time `json:"to,omitzero"`
	// FromHref and ToHref are the topology at either time.
	FromHref string          `json:"from_href,omitempty"`
	ToHref   string          `json:"to_href,omitempty"`
	Error    string          `json:"error,omitempty"`
	Entries  []TimelineEntry `json:"entries"`
}

// NewDiff builds the diff view from the entries that compare the two
// models (history.Diff, grouped); err says why there are none.
func NewDiff(fromText, toText string, from, to time.Time, entries []history.Entry, err error) Diff {
	d := Diff{FromText: fromText, ToText: toText, From: from, To: to, Entries: []TimelineEntry{}}
	if err != nil {
		d.Error = err.Error()
		return d
	}
	d.FromHref, d.ToHref = AtHref("/topology", from), AtHref("/topology", to)
	for _, e := range entries {
		top := TopologyHref(Filter{Namespace: e.Namespace, Job: e.Job})
		d.Entries = append(d.Entries, TimelineEntry{Entry: e, Links: entryLinks(e), BeforeHref: AtHref(top, from), AfterHref: AtHref(top, to)})
	}
	return d
}
