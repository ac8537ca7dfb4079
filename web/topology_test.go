package web_test

import (
	"encoding/json"
	"html"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/web"
)

// drawnAllocation finds the namespace boxes of a topology diagram.
var drawnAllocation = regexp.MustCompile(`data-testid="ns-([^"]+)"`)

// TestTopologyFilter: the topology page's diagram draws exactly the
// allocations /api/v1/topology returns for the same filter, and a node ID
// prefix (the eight characters Nomad's CLI shows) selects that node's
// allocations in both. The diagram used to need the whole node ID and drew
// "Nothing matches this filter" for a prefix the API accepted.
func TestTopologyFilter(t *testing.T) {
	_, base := handlerServer(t)
	cases := []struct {
		query url.Values
		want  []string
	}{
		{url.Values{"node": {fixture.NodeA[:8]}}, []string{fixture.AllocRedis, fixture.AllocWeb, fixture.AllocIngress, fixture.AllocIngress2}},
		{url.Values{"node": {"client-b"}}, []string{fixture.AllocAPI}},
		{url.Values{"job": {"web"}, "node": {fixture.NodeA[:8]}}, []string{fixture.AllocWeb}},
		// Text matches allocation IDs and namespace IPs too.
		{url.Values{"q": {"172.26.64.9"}}, []string{fixture.AllocAPI}},
		{url.Values{"q": {"c3e0ffee"}}, []string{fixture.AllocIngress, fixture.AllocIngress2}},
	}
	for _, tc := range cases {
		t.Run(tc.query.Encode(), func(t *testing.T) {
			slices.Sort(tc.want)
			status, _, body := get(t, base, "/api/v1/topology?"+tc.query.Encode())
			var api struct {
				Allocations []struct {
					ID string `json:"id"`
				} `json:"allocations"`
			}
			if err := json.Unmarshal(body, &api); err != nil || status != 200 {
				t.Fatalf("api: status %d, %v", status, err)
			}
			var fromAPI []string
			for _, a := range api.Allocations {
				fromAPI = append(fromAPI, a.ID)
			}
			slices.Sort(fromAPI)

			status, _, page := get(t, base, "/topology?"+tc.query.Encode())
			if status != 200 {
				t.Fatalf("page: status %d", status)
			}
			if strings.Contains(string(page), "Nothing matches this filter") {
				t.Error(`the diagram says "Nothing matches this filter"`)
			}
			var drawn []string
			for _, m := range drawnAllocation.FindAllStringSubmatch(string(page), -1) {
				drawn = append(drawn, m[1])
			}
			slices.Sort(drawn)

			if !slices.Equal(fromAPI, tc.want) {
				t.Errorf("/api/v1/topology returns %v, want %v", fromAPI, tc.want)
			}
			if !slices.Equal(drawn, tc.want) {
				t.Errorf("/topology draws %v, want %v", drawn, tc.want)
			}
		})
	}
}

// pageLink finds the links of a page.
var pageLink = regexp.MustCompile(`href="(/[^"]*)"`)

// TestTopologyLinks follows every link of the topology page, the fixture
// cluster drawn box by box and a 250-allocation one drawn as job/group
// boxes: each leads to a page. The job/group boxes used to link to /jobs/…,
// a page netviz does not have.
func TestTopologyLinks(t *testing.T) {
	for name, changes := range map[string][]model.Change{
		"fixture":    fixture.Cluster(),
		"aggregated": fixture.Jobs(10, 25, 10),
	} {
		t.Run(name, func(t *testing.T) {
			st := model.NewStore()
			st.Apply(changes...)
			ts := httptest.NewServer(web.New(st, web.Options{}).Handler())
			defer ts.Close()
			_, _, page := get(t, ts.URL, "/topology")
			seen := map[string]bool{}
			for _, m := range pageLink.FindAllStringSubmatch(string(page), -1) {
				href := html.UnescapeString(m[1])
				if seen[href] || strings.HasPrefix(href, "/static/") {
					continue
				}
				seen[href] = true
				if status, _, _ := get(t, ts.URL, href); status != 200 {
					t.Errorf("link %s: status %d", href, status)
				}
			}
			if len(seen) < 10 {
				t.Errorf("only %d links followed", len(seen))
			}
		})
	}
}
