package views_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

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
	if got, want := strings.Join(cells, "|"), "connected|http://127.0.0.1:4646|2026-11-25T12:00:00Z|"; got != want {
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
