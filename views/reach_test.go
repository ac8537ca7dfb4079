package views_test

import (
	"testing"

	"github.com/netviz/netviz/views"
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
			v := views.NewReachView(snap, tc.from, tc.to)
			d := doc(t, renderPage(t, views.ReachPage(chrome(snap, "/reach"), v, views.ReachSuggestions(snap))))
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
