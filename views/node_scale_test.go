package views_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

// maxNodeBytes is what a node page may weigh, HTML or JSON, whatever the
// number of ports on the node.
const maxNodeBytes = 300 << 10

// busyNode is one node holding 7,000 dynamic ports of 70 jobs, and two
// allocations sharing a static port.
func busyNode() *model.Snapshot {
	changes := []model.Change{fixture.Node("n1", "busy")}
	for i := range 7000 {
		job := fmt.Sprintf("j%02d", i/100)
		changes = append(changes, fixture.Alloc(fmt.Sprintf("a%04d", i), job).
			Port("http", "10.0.0.1", 20000+i, 0, false).RawTask("web").Upsert())
	}
	changes = append(changes,
		fixture.Alloc("lb1", "lb").Port("https", "10.0.0.1", 443, 0, true).Upsert(),
		fixture.Alloc("lb2", "lb").Port("https", "10.0.0.1", 443, 0, true).Upsert())
	return model.NewStore().Apply(changes...)
}

func TestNodePageAtScale(t *testing.T) {
	snap := busyNode()
	n := snap.Node("n1")
	for _, q := range []string{"", "page=3", "job=j42", "ports=20100-20149", "label=https"} {
		vals, _ := url.ParseQuery(q)
		v := viewmodel.NewNodeLedgerView(snap, n, viewmodel.LedgerQueryFromQuery(vals))
		body, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		page := renderPage(t, views.NodePage(chrome(snap, "/nodes/n1?"+q), v))
		t.Logf("%-20q ledger %d of %d ports, page %d/%d; JSON %d bytes, HTML %d bytes", q, len(v.Ledger.Rows), v.Ledger.Total,
			v.Ledger.Query.Page, v.Ledger.Pages, len(body), len(page))
		if len(body) > maxNodeBytes || len(page) > maxNodeBytes {
			t.Errorf("%q: JSON %d bytes, HTML %d bytes; want both under %d", q, len(body), len(page), maxNodeBytes)
		}
		if len(v.Summary.Conflicts) != 2 || v.Summary.Ports != 7002 {
			t.Errorf("%q: summary %d ports, %d conflicts", q, v.Summary.Ports, len(v.Summary.Conflicts))
		}
		want := map[string]int{"": viewmodel.LedgerPageSize, "page=3": viewmodel.LedgerPageSize, "job=j42": 100,
			"ports=20100-20149": 50, "label=https": 2}[q]
		if len(v.Ledger.Rows) != want {
			t.Errorf("%q: %d ledger rows, want %d", q, len(v.Ledger.Rows), want)
		}
		for _, r := range v.Ledger.Rows {
			if q == "job=j42" && r.JobID != "j42" || q == "ports=20100-20149" && (r.Port < 20100 || r.Port > 20149) {
				t.Errorf("%q: row %+v does not match", q, r.PortUse)
			}
		}
	}
}
