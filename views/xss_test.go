package views_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestHostileNamesAreEscaped renders every page showing the hostile fixture
// and checks that its payload never becomes markup: the only script elements
// are the page's own, and the payload survives as text.
func TestHostileNamesAreEscaped(t *testing.T) {
	snap := cluster(t, fixture.Hostile()...)
	a := snap.Allocation(fixture.HostileAlloc)
	svc, _ := viewmodel.NewServiceView(snap, "svc "+fixture.HostileText)
	f := viewmodel.Filter{Text: fixture.HostileText, Job: fixture.HostileText}
	pages := map[string]views.Page{
		"overview":     views.OverviewPage(chrome(snap, "/?q="+fixture.HostileText), viewmodel.NewOverview(snap, viewmodel.Filter{})),
		"filtered":     views.OverviewPage(chrome(snap, "/"), viewmodel.NewOverview(snap, f)),
		"topology":     views.TopologyPage(chrome(snap, "/topology"), snap, viewmodel.Filter{}),
		"allocation":   views.AllocationPage(chrome(snap, "/"), snap, viewmodel.NewAllocationView(snap, a)),
		"node":         views.NodePage(chrome(snap, "/"), viewmodel.NewNodeView(snap, snap.Node(fixture.HostileNode))),
		"services":     views.ServicesPage(chrome(snap, "/"), viewmodel.NewServiceList(snap, viewmodel.Filter{})),
		"service":      views.ServicePage(chrome(snap, "/"), svc),
		"reach":        views.ReachPage(chrome(snap, "/"), viewmodel.NewReachView(snap, "job "+fixture.HostileText+"/group "+fixture.HostileText, "svc "+fixture.HostileText, reach.Window{}), viewmodel.ReachSuggestions(snap)),
		"reach error":  views.ReachPage(chrome(snap, "/"), viewmodel.NewReachView(snap, fixture.HostileText, "x", reach.Window{}), nil),
		"not found":    views.NotFoundPage(chrome(snap, "/"), "node", fixture.HostileText),
		"candidates":   views.CandidatesPage(chrome(snap, "/"), viewmodel.Candidates{Query: fixture.HostileText}),
		"check":        views.CheckPage(chrome(snap, ""), hostileCheck()),
		"check parse":  views.CheckPage(chrome(snap, ""), views.CheckView{Form: hostileCheck().Form, ParseError: "job.nomad.hcl:1,1-2: " + fixture.HostileText}),
		"timeline":     views.TimelinePage(chrome(snap, ""), hostileTimeline()),
		"diff":         views.DiffPage(chrome(snap, ""), viewmodel.NewDiff(fixture.HostileText, "", fixture.Epoch, fixture.Epoch, hostileEntries(), nil), views.DiffDiagram{Why: fixture.HostileText, Filter: viewmodel.Filter{Job: fixture.HostileText}}),
		"diff picture": hostileDiff(t),
		"as of":        views.OverviewPage(asOfChrome(snap), viewmodel.NewOverview(snap, viewmodel.Filter{})),
	}
	for name, p := range pages {
		t.Run(name, func(t *testing.T) {
			html := renderPage(t, p)
			if strings.Contains(html, "<script>alert") {
				t.Fatal("payload rendered as a script element")
			}
			if strings.Contains(html, `"'&`) {
				t.Error("quotes or ampersand left unescaped")
			}
			d := doc(t, html)
			d.Find("script").Each(func(_ int, s *goquery.Selection) {
				if src := s.AttrOr("src", ""); !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
					t.Errorf("unexpected script element: src=%q text=%q", src, s.Text())
				}
			})
			if !strings.Contains(d.Text(), "<script>alert(1)</script>") && !pageHasAttrPayload(d) {
				t.Error("payload lost instead of shown as text")
			}
			d.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
				if href := s.AttrOr("href", ""); strings.ContainsAny(href, `<>"' `) {
					t.Errorf("href not escaped: %q", href)
				}
			})
		})
	}
}

// pageHasAttrPayload reports whether the payload survives in an attribute
// (the filter form shows it only as an input value).
func pageHasAttrPayload(d *goquery.Document) bool {
	found := false
	d.Find("input").Each(func(_ int, s *goquery.Selection) {
		found = found || strings.Contains(s.AttrOr("value", ""), "<script>")
	})
	return found
}
