package views_test

import (
	"net/url"
	"testing"

	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

func TestReachPage(t *testing.T) {
	snap := cluster(t)
	cases := []struct {
		from, to string
		testid   string // the element that carries the answer
		verdict  string
	}{
		{"", "", "reach-idle", ""},
		{"web", "api", "reach-verdict", "blocked"}, // the intention web → api denies
		{"web", "redis", "reach-verdict", "reachable"},
		{"web", "no-such-service", "reach-error", ""},
	}
	for _, tc := range cases {
		t.Run(tc.from+"→"+tc.to, func(t *testing.T) {
			v := viewmodel.NewReachView(snap, tc.from, tc.to, reach.Window{})
			d := doc(t, renderPage(t, views.ReachPage(chrome(snap, "/reach"), v, viewmodel.ReachSuggestions(snap))))
			el := d.Find(testid(tc.testid))
			if el.Length() != 1 {
				t.Fatalf("no %s element", tc.testid)
			}
			if got := el.AttrOr("data-verdict", ""); got != tc.verdict {
				t.Errorf("verdict %q, want %q (%s)", got, tc.verdict, text(el))
			}
			if tc.verdict != "" && d.Find(testid("reach-path")).Length() == 0 {
				t.Error("answer shows no path")
			}
			if got := d.Find(testid("reach-from")).AttrOr("value", ""); got != tc.from {
				t.Errorf("form keeps from = %q", got)
			}
		})
	}
}

// TestReachLinksAnswer follows the "why?" link of the service page's denied
// downstream: the question it asks has an answer, and it is the same verdict.
func TestReachLinksAnswer(t *testing.T) {
	snap := cluster(t)
	v, _ := viewmodel.NewServiceView(snap, "api")
	d := doc(t, renderPage(t, views.ServicePage(chrome(snap, "/services/api"), v)))
	href := d.Find(testid("downstreams")+" "+testid("reach-link")).AttrOr("href", "")
	u, err := url.Parse(href)
	if err != nil || u.Path != "/reach" {
		t.Fatalf("reach link %q", href)
	}
	r := viewmodel.NewReachView(snap, u.Query().Get(viewmodel.ParamFrom), u.Query().Get(viewmodel.ParamTo), reach.Window{})
	if r.Result == nil || r.Result.Verdict != "blocked" {
		t.Errorf("reach %s: %+v, want blocked", href, r)
	}
}
