package views_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

func TestOverviewCounts(t *testing.T) {
	snap := cluster(t)
	cases := []struct {
		name   string
		filter viewmodel.Filter
		want   map[string]string // data-testid → text
	}{
		{"everything", viewmodel.Filter{}, map[string]string{
			"count-nodes":           "2",
			"count-allocations":     "5",
			"count-mode-bridge":     "bridge: 2",
			"count-mode-host":       "host: 3",
			"count-services":        "4",
			"count-provider-consul": "consul: 3",
			"count-provider-nomad":  "nomad: 1",
			"count-connect":         "1",
		}},
		{"job", viewmodel.Filter{Job: "ingress"}, map[string]string{
			"count-allocations": "2",
			"count-mode-host":   "host: 2",
			"count-services":    "0",
		}},
		{"node by name", viewmodel.Filter{Node: "client-b"}, map[string]string{
			"count-nodes":       "1",
			"count-allocations": "1",
			"count-services":    "2",
		}},
		{"text", viewmodel.Filter{Text: "REDIS"}, map[string]string{
			"count-allocations": "1",
			"count-services":    "1",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := doc(t, renderPage(t, views.OverviewPage(chrome(snap, "/"), viewmodel.NewOverview(snap, tc.filter))))
			for id, want := range tc.want {
				if got := text(d.Find(testid(id))); got != want {
					t.Errorf("%s = %q, want %q", id, got, want)
				}
			}
		})
	}
}

func TestOverviewSourcesAndLinks(t *testing.T) {
	snap := cluster(t)
	d := doc(t, renderPage(t, views.OverviewPage(chrome(snap, "/"), viewmodel.NewOverview(snap, viewmodel.Filter{}))))
	row := d.Find(testid("source-row-Nomad"))
	if got := text(row.Find(testid("state"))); got != "connected" {
		t.Errorf("nomad state = %q", got)
	}
	var cells []string
	row.Find("td").Each(func(_ int, s *goquery.Selection) { cells = append(cells, text(s)) })
	if got, want := strings.Join(cells, "|"), "connected|—|http://127.0.0.1:4646|2026-11-25T12:00:00Z|—|"; got != want {
		t.Errorf("nomad row cells = %q, want %q", got, want)
	}
	hrefs := map[string]string{}
	d.Find(testid("job-link")).Each(func(_ int, s *goquery.Selection) { hrefs[text(s)] = s.AttrOr("href", "") })
	if got, want := hrefs["web"], "/topology?job=web&namespace=default"; got != want {
		t.Errorf("job link = %q, want %q", got, want)
	}
	if got := d.Find(testid("service-link")).First().AttrOr("href", ""); got != "/services/api" {
		t.Errorf("first service link = %q", got)
	}
	if got, want := text(d.Find(testid("count-warnings"))), strconv.Itoa(len(lint.Warnings(snap))); got != want || want == "0" {
		t.Errorf("count-warnings = %q, want %q (and not 0)", got, want)
	}
	if d.Find(testid("warning")+`[data-code="port-conflict"]`).Length() != 1 {
		t.Error("the port conflict on client-a is not listed")
	}
}

// A catch-up or a stale stream never reads as down: the state says which,
// with why and as of when, and repeated drops bring advice.
func TestOverviewSourcesBehind(t *testing.T) {
	asOf := time.Date(2026, 11, 25, 12, 0, 3, 0, time.UTC)
	for _, tt := range []struct {
		state, want string
	}{
		{model.StateCatchingUp, "catching up"},
		{model.StateStale, "stale"},
	} {
		st := model.SourceStatus{State: tt.state, Reason: "Nomad said: event dropped from buffer", AsOf: asOf,
			CatchUps: 3, DropBurst: 900}
		snap := model.NewStore().Apply(model.SetNomadStatus{Status: st})
		page := renderPage(t, views.OverviewPage(chrome(snap, "/"), viewmodel.NewOverview(snap, viewmodel.Filter{})))
		d := doc(t, page)
		row := d.Find(testid("source-row-Nomad"))
		if got := text(row.Find(testid("state"))); got != tt.want {
			t.Errorf("%s: state %q, want %q", tt.state, got, tt.want)
		}
		if got := text(row.Find(testid("reason"))); got != st.Reason {
			t.Errorf("%s: reason %q", tt.state, got)
		}
		if got := text(row.Find(testid("as-of"))); got != "2026-11-25T12:00:03Z" {
			t.Errorf("%s: as of %q", tt.state, got)
		}
		if badge := text(d.Find(testid("source-nomad"))); !strings.Contains(badge, tt.want+" (data as of 12:00:03Z)") {
			t.Errorf("%s: badge %q", tt.state, badge)
		}
		if strings.Contains(strings.ToLower(page), "down") {
			t.Errorf("%s: the page says down", tt.state)
		}
		if advice := text(d.Find(testid("source-advice"))); !strings.Contains(advice, "event_buffer_size") || !strings.Contains(advice, "900 events") {
			t.Errorf("%s: advice %q", tt.state, advice)
		}
	}
}
