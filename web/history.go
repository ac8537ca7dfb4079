package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// History is what the server reads of netviz's networking history:
// *record.Recorder (package collector/history/record) satisfies it.
type History interface {
	// At rebuilds the model as it was at t.
	At(ctx context.Context, t time.Time) (*model.Snapshot, error)
	// Timeline returns the entries q selects, newest first.
	Timeline(ctx context.Context, q history.Query) ([]history.Entry, error)
	// Oldest is the earliest time At can rebuild (zero when nothing is
	// recorded): the "as of" banner's slider starts there.
	Oldest(ctx context.Context) (time.Time, error)
}

// pastKey holds, in a request's echo context, the past snapshot ?at= asked for.
const pastKey = "netviz.past"

// headerAsOf names, on an API answer from a past model, the time it is as of.
const headerAsOf = "Netviz-As-Of"

// past is a request's past snapshot and the time asked for.
type past struct {
	snap *model.Snapshot
	at   time.Time
	// oldest is where history begins (zero if unknown).
	oldest time.Time
}

// timeTravel serves any page or /api/v1 twin with ?at=<time> from the model
// as history rebuilt it at that time: it puts the snapshot in the request
// for base, and the handlers are the live ones. A time it cannot read, a
// time before history, or history being off are answered here, saying so.
func (s *Server) timeTravel(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := c.QueryParam(viewmodel.ParamAt)
		if raw == "" || !travels(c.Path()) {
			return next(c)
		}
		at, err := history.ParseTime(raw, time.Now())
		if err != nil {
			return s.pastError(c, http.StatusBadRequest, err.Error())
		}
		if s.history == nil {
			return s.pastError(c, http.StatusNotFound, "netviz records no history (serve --history=false), so ?at= has nothing to show")
		}
		snap, err := s.history.At(c.Request().Context(), at)
		if err != nil {
			return s.pastError(c, http.StatusNotFound, fmt.Sprintf("no picture as of %s: %v", at.UTC().Format(time.RFC3339), err))
		}
		oldest, _ := s.history.Oldest(c.Request().Context()) // no slider without it
		c.Set(pastKey, past{snap: snap, at: at, oldest: oldest})
		c.Response().Header().Set(headerAsOf, at.UTC().Format(time.RFC3339Nano))
		return next(c)
	}
}

// travels reports whether a route pattern serves the model: the pages and
// their JSON twins.
func travels(path string) bool {
	switch path {
	case "/timeline", "/api/v1/timeline", "/diff", "/api/v1/diff":
		return false // history's own pages take times of their own
	}
	return path == "/" || strings.HasPrefix(path, "/api/v1/") || strings.HasPrefix(path, "/topology") ||
		strings.HasPrefix(path, "/allocations/") || strings.HasPrefix(path, "/nodes/") ||
		strings.HasPrefix(path, "/services") || strings.HasPrefix(path, "/reach")
}

// base is the snapshot a request reads: the past one ?at= asked for, else
// the live one.
func (s *Server) base(c echo.Context) *model.Snapshot {
	if p, ok := c.Get(pastKey).(past); ok {
		return p.snap
	}
	return s.src.Snapshot()
}

// asOf turns a page built from a past snapshot into a past page: not live,
// with the "as of" banner. Live pages pass unchanged.
func asOf(c echo.Context, p views.Page) views.Page {
	pa, ok := c.Get(pastKey).(past)
	if !ok {
		return p
	}
	u := c.Request().URL
	q := url.Values{}
	var params [][2]string
	for k, vs := range u.Query() {
		if k == viewmodel.ParamAt {
			continue
		}
		for _, v := range vs {
			q.Add(k, v)
			params = append(params, [2]string{k, v})
		}
	}
	live := u.Path
	if len(q) > 0 {
		live += "?" + q.Encode()
	}
	p.Chrome.View = "" // a past page never changes
	p.Chrome.AsOf = &views.AsOf{
		Time: pa.at, Version: pa.snap.Version(), Path: u.Path, Params: params, Live: live,
		Oldest: pa.oldest, Now: time.Now(),
		Earlier:  viewmodel.AtHref(live, pa.at.Add(-time.Minute)),
		Later:    viewmodel.AtHref(live, pa.at.Add(time.Minute)),
		Timeline: "/timeline?" + url.Values{viewmodel.ParamSince: {pa.at.Add(-15 * time.Minute).UTC().Format(time.RFC3339)}, viewmodel.ParamUntil: {pa.at.UTC().Format(time.RFC3339)}}.Encode(),
		Diff:     "/diff?" + url.Values{viewmodel.ParamFrom: {pa.at.UTC().Format(time.RFC3339Nano)}}.Encode(),
	}
	return p
}

// pastError answers a request for a past model that cannot be shown: JSON
// for the API, a page saying why for a browser.
func (s *Server) pastError(c echo.Context, code int, msg string) error {
	if strings.HasPrefix(c.Path(), "/api/") {
		return c.JSON(code, errorBody{Error: msg})
	}
	snap := s.src.Snapshot()
	ch := views.Chrome{Assets: s.assets, Version: snap.Version(), Status: snap.Status()}
	return render(c, code, views.Document(views.MessagePage(ch, "Not in history", msg)))
}

// serveTimeline answers /timeline and /api/v1/timeline.
func (s *Server) serveTimeline(c echo.Context) error {
	t := s.timeline(c)
	if strings.HasPrefix(c.Path(), "/api/") {
		status := http.StatusOK
		if t.Error != "" {
			status = http.StatusServiceUnavailable
			if strings.HasPrefix(t.Error, "bad ") {
				status = http.StatusBadRequest
			}
		}
		return c.JSON(status, t)
	}
	snap := s.src.Snapshot()
	ch := views.Chrome{Assets: s.assets, Version: snap.Version(), Status: snap.Status()}
	return render(c, http.StatusOK, views.Document(views.TimelinePage(ch, t)))
}

func (s *Server) timeline(c echo.Context) viewmodel.Timeline {
	tq := viewmodel.TimelineQueryFromQuery(c.QueryParams())
	if n, err := parseLimit(c.QueryParam(viewmodel.ParamLimit)); err == nil {
		tq.Limit = n
	}
	hq, err := tq.Query(time.Now())
	if err != nil {
		return viewmodel.NewTimeline(tq, hq, nil, fmt.Errorf("bad time: %w", err))
	}
	if s.history == nil {
		return viewmodel.NewTimeline(tq, hq, nil, errors.New("netviz records no history (serve --history=false)"))
	}
	es, err := s.history.Timeline(c.Request().Context(), hq)
	return viewmodel.NewTimeline(tq, hq, visible(es, s.scopeOf(c)), err)
}

// visible keeps the entries a viewer's scope may read, deciding each with
// the predicates Snapshot.Restrict applies to the model (model.Scope's
// Sees*): an allocation's entries by its namespace; a service's as the
// instance (a Consul one by its name and its allocation's namespace);
// nodes with node rights; intentions by their destination and Consul's
// default with a Consul token; an observed edge's when both its ends are
// shown; the sources' and history's own entries always. An entry naming
// an allocation whose namespace history did not record is hidden.
func visible(es []history.Entry, sc model.Scope) []history.Entry {
	if sc.All {
		return es
	}
	shown := func(ns string) bool { return ns != "" && sc.SeesAlloc(ns) }
	out := es[:0:0]
	for _, e := range es {
		var ok bool
		switch e.Kind {
		case history.KindSource, history.KindGap, history.KindHistory:
			ok = true
		case history.KindNodeJoined, history.KindNodeLeft, history.KindNodeChanged:
			ok = sc.SeesNodes()
		case history.KindIntentionAdd, history.KindIntentionMod, history.KindIntentionDel:
			if e.Service == "" { // Consul's default verdict
				ok = sc.SeesConsul()
			} else {
				ok = sc.SeesIntention(e.Service)
			}
		case history.KindServiceUp, history.KindServiceDown, history.KindServiceMoved, history.KindHealth:
			ok = sc.SeesService(e.Provider, e.Service, e.Namespace, e.Alloc, shown(e.Namespace))
		case history.KindObservedSeen, history.KindObservedGone:
			ok = e.Ends != nil && sc.SeesObservedEnd(e.Ends.From, shown(e.Ends.FromNamespace)) &&
				sc.SeesObservedEnd(e.Ends.To, shown(e.Ends.ToNamespace))
		default:
			ok = shown(e.Namespace)
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

// serveDiff answers /diff and /api/v1/diff: the model at ?from= against
// the model at ?to= (default now), compared as the recorder compares
// consecutive versions, with a job's allocation changes grouped. The page
// also draws the later model with what changed marked.
func (s *Server) serveDiff(c echo.Context) error {
	d, status, before, after := s.diff(c)
	if strings.HasPrefix(c.Path(), "/api/") {
		return c.JSON(status, d)
	}
	pic := views.DiffDiagram{Filter: viewmodel.FilterFromQuery(c.QueryParams())}
	if before != nil {
		var merged *model.Snapshot
		merged, pic.Marks = views.DiffPicture(before, after, d.From)
		ctx, cancel := context.WithTimeout(c.Request().Context(), diffDrawTimeout)
		defer cancel()
		var err error
		if pic.Picture, err = diagram.Check(ctx, merged, pic.Filter, pic.Marks); err != nil {
			pic.Why = "The diagram could not be drawn: " + err.Error()
		}
	}
	snap := s.src.Snapshot()
	ch := views.Chrome{Assets: s.assets, Version: snap.Version(), Status: snap.Status()}
	return render(c, status, views.Document(views.DiffPage(ch, d, pic)))
}

// diff compares the models at ?from= and ?to=, and returns them (nil when
// either cannot be read) under the viewer's scope.
func (s *Server) diff(c echo.Context) (viewmodel.Diff, int, *model.Snapshot, *model.Snapshot) {
	now := time.Now()
	fromText, toText := strings.TrimSpace(c.QueryParam(viewmodel.ParamFrom)), strings.TrimSpace(c.QueryParam(viewmodel.ParamTo))
	if fromText == "" {
		fromText = "-1h"
	}
	from, err := history.ParseTime(fromText, now)
	to := now
	if err == nil && toText != "" {
		to, err = history.ParseTime(toText, now)
	}
	fail := func(from, to time.Time, err error, status int) (viewmodel.Diff, int, *model.Snapshot, *model.Snapshot) {
		return viewmodel.NewDiff(fromText, toText, from, to, nil, err), status, nil, nil
	}
	if err != nil {
		return fail(time.Time{}, time.Time{}, fmt.Errorf("bad time: %w", err), http.StatusBadRequest)
	}
	if s.history == nil {
		return fail(from, to, errors.New("netviz records no history (serve --history=false)"), http.StatusServiceUnavailable)
	}
	ctx := c.Request().Context()
	a, err := s.history.At(ctx, from)
	if err != nil {
		return fail(from, to, fmt.Errorf("no picture as of %s: %w", from.UTC().Format(time.RFC3339), err), http.StatusNotFound)
	}
	b, err := s.history.At(ctx, to)
	if err != nil {
		return fail(from, to, fmt.Errorf("no picture as of %s: %w", to.UTC().Format(time.RFC3339), err), http.StatusNotFound)
	}
	sc := s.scopeOf(c)
	if !sc.All {
		a, b = a.Restrict(sc), b.Restrict(sc)
	}
	entries, allocs := history.Diff(a, b, nil, true, to)
	g := history.NewGrouper()
	for _, ch := range allocs {
		g.Add(ch)
	}
	return viewmodel.NewDiff(fromText, toText, from, to, append(g.Flush(to, true), entries...), nil), http.StatusOK, a, b
}

// diffDrawTimeout bounds the wait for the diff's picture (laid out for the
// one request, never cached); past it the page shows the list alone.
const diffDrawTimeout = 20 * time.Second

// parseLimit reads ?limit=, capped so one request cannot read the whole store.
func parseLimit(s string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n <= 0 {
		return 0, errors.New("no limit")
	}
	return min(n, 5000), nil
}
