package web

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netviz/netviz/collector/model"
)

// grafanaDashboard is the dashboard shipped for these metrics.
const grafanaDashboard = "../deploy/grafana-netviz.json"

// metricNames are the names of netviz's own metrics, from their descriptors.
func metricNames(t *testing.T) []string {
	t.Helper()
	m := newMetrics(model.NewStore(), nil)
	ch := make(chan *prometheus.Desc, 100)
	for _, c := range m.own {
		c.Describe(ch)
	}
	close(ch)
	fqName := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	var names []string
	for d := range ch {
		names = append(names, fqName.FindStringSubmatch(d.String())[1])
	}
	slices.Sort(names)
	return names
}

// TestMetricsDocumented: docs/api.md's table of metrics lists exactly the
// metrics the server has, and the Grafana dashboard asks for none it lacks.
func TestMetricsDocumented(t *testing.T) {
	names := metricNames(t)
	doc, err := os.ReadFile(apiDoc)
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(netviz_[a-z_]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		documented = append(documented, m[1])
	}
	slices.Sort(documented)
	if !slices.Equal(documented, names) {
		t.Errorf("%s documents metrics %v; the server has %v", apiDoc, documented, names)
	}

	raw, err := os.ReadFile(grafanaDashboard)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("%s: %v", grafanaDashboard, err)
	}
	used := map[string]bool{}
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			for _, n := range regexp.MustCompile(`netviz_[a-z_]+`).FindAllString(target.Expr, -1) {
				for _, suffix := range []string{"_bucket", "_count", "_sum"} {
					if base, ok := strings.CutSuffix(n, suffix); ok && slices.Contains(names, base) {
						n = base
					}
				}
				if !slices.Contains(names, n) {
					t.Errorf("%s: panel %q asks for %s, which the server does not have", grafanaDashboard, p.Title, n)
				}
				used[n] = true
			}
		}
	}
	if len(used) < len(names)/2 {
		t.Errorf("the dashboard uses %d of %d metrics", len(used), len(names))
	}
}
