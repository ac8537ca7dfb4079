//go:build integration

package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
)

// typed is text left, unsubmitted, in the topology's filter field: a push
// must not wipe what the user is typing.
const typed = "typed, not sent"

// TestLiveUpdate scales the web job's group from 2 to 3 allocations and back
// through Nomad's API while the topology and overview pages are open. Both
// follow without reloading (a JavaScript marker survives), the topology
// keeps its scroll position and the text typed into its filter field.
func TestLiveUpdate(t *testing.T) {
	snap := env.store.Snapshot()
	var known []string
	for _, a := range snap.AllocationsOfJob("default", "web") {
		known = append(known, a.ID)
	}
	allocsBefore := len(snap.Allocations())

	topo := newTab(t)
	open(t, topo, "/topology")
	over := newTab(t)
	open(t, over, "/")
	if err := chromedp.Do(topo, chromedp.SendKeys(chromedp.CSS(`[data-testid="filter-text"]`), typed)); err != nil {
		t.Fatalf("type into the filter: %v", err)
	}
	// The node's port table sorted by host port, descending (two clicks on
	// the header): the order must hold when a push replaces the table.
	node := newTab(t)
	open(t, node, "/nodes/"+snap.Allocation(known[0]).NodeID)
	header := chromedp.CSS(`[data-testid="node-ports"] thead th:first-child`)
	if err := chromedp.Do(node, chromedp.Click(header), chromedp.Click(header)); err != nil {
		t.Fatalf("sort the node's ports: %v", err)
	}
	portsBefore := len(nodePorts(t, node))
	sortedDown := func(t *testing.T) {
		t.Helper()
		ports := nodePorts(t, node)
		if !slices.IsSortedFunc(ports, func(a, b int) int { return b - a }) {
			t.Errorf("node ports not in descending order after a push: %v", ports)
		}
	}
	sortedDown(t)
	// Scroll the topology down a little; a push must not move it.
	scrollY := eval[float64](t, topo, `(() => {
		window.scrollTo(0, Math.min(300, document.documentElement.scrollHeight - window.innerHeight));
		return window.scrollY;
	})()`)
	for _, tab := range []context.Context{topo, over} {
		eval[int](t, tab, `window.__noReload = 1`)
	}
	// unchanged checks what a push must leave alone.
	unchanged := func(t *testing.T) {
		t.Helper()
		for name, tab := range map[string]context.Context{"/topology": topo, "/": over} {
			if marker := eval[int](t, tab, `window.__noReload || 0`); marker != 1 {
				t.Errorf("%s reloaded: window.__noReload = %d", name, marker)
			}
		}
		if y := eval[float64](t, topo, `window.scrollY`); y != scrollY {
			t.Errorf("/topology scrolled from %v to %v", scrollY, y)
		}
		if v := eval[string](t, topo, `document.querySelector('[data-testid="filter-text"]').value`); v != typed {
			t.Errorf("/topology filter field holds %q, want %q", v, typed)
		}
	}
	webBoxes := func(n int) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll('[data-testid^="ns-"]')).filter((el) => (%s)(el).includes("web/web")).length === %d`, jsText, n)
	}
	overviewShows := func(t *testing.T, allocs, web int) {
		t.Helper()
		poll[bool](t, over, strconv.Itoa(allocs)+" allocations on the overview", fmt.Sprintf(
			`document.querySelector('[data-testid="count-allocations"]')?.textContent.trim() === %s`, js(strconv.Itoa(allocs))))
		poll[bool](t, over, "web with "+strconv.Itoa(web)+" allocations in the job list", fmt.Sprintf(
			`Array.from(document.querySelectorAll('[data-testid="job-list"] li')).some((li) => (%[1]s)(li).startsWith("web ") && (%[1]s)(li).includes("%[2]d allocations"))`,
			jsText, web))
	}

	t.Run("scale up", func(t *testing.T) {
		start := scaleWeb(t, len(known)+1)
		newID := poll[string](t, topo, "a new web allocation on /topology", fmt.Sprintf(`(() => {
			const known = %s;
			const el = Array.from(document.querySelectorAll('[data-testid^="ns-"]')).find((el) =>
				!known.includes(el.dataset.testid.slice(3)) && (%s)(el).includes("web/web"));
			return el ? el.dataset.testid.slice(3) : "";
		})()`, js(known), jsText))
		t.Logf("topology showed the new allocation %s %s after the scale request", newID, time.Since(start).Round(time.Millisecond))
		overviewShows(t, allocsBefore+1, len(known)+1)
		t.Logf("overview showed it %s after the scale request", time.Since(start).Round(time.Millisecond))
		poll[bool](t, node, "the new allocation's port on the node page", fmt.Sprintf(
			`document.querySelectorAll('[data-testid="node-port"]').length === %d`, portsBefore+1))
		sortedDown(t)
		unchanged(t)
		// The page followed the model, not the other way round.
		waitModel(t, "the new web allocation", func(s *model.Snapshot) error {
			if s.Allocation(newID) == nil {
				return fmt.Errorf("allocation %s not in the model", newID)
			}
			return nil
		})
		waitWebHealthy(t)
	})

	t.Run("scale down", func(t *testing.T) {
		start := scaleWeb(t, len(known))
		poll[bool](t, topo, fmt.Sprintf("%d web namespaces on /topology", len(known)), webBoxes(len(known)))
		t.Logf("topology dropped the stopped allocation %s after the scale request", time.Since(start).Round(time.Millisecond))
		overviewShows(t, allocsBefore, len(known))
		unchanged(t)
		// Later tests compare pages with Nomad: let the deployment settle.
		waitWebHealthy(t)
	})
}

// nodePorts reads the host ports of the node page's table, in page order.
func nodePorts(t *testing.T, tab context.Context) []int {
	t.Helper()
	return eval[[]int](t, tab, `Array.from(document.querySelectorAll('[data-testid="node-port"]'), (tr) => Number(tr.dataset.port))`)
}

// scaleWeb sets the web group's count through Nomad's API and returns when
// it asked.
func scaleWeb(t *testing.T, count int) time.Time {
	t.Helper()
	start := time.Now()
	if _, _, err := env.cluster.Nomad().Jobs().Scale("web", "web", &count, "netviz e2e: live update", false, nil,
		&nomadapi.WriteOptions{Namespace: "default"}); err != nil {
		t.Fatalf("scale web to %d: %v", count, err)
	}
	return start
}

// waitWebHealthy waits until Nomad calls the web job's latest deployment
// successful.
func waitWebHealthy(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), modelWait)
	defer cancel()
	if err := env.cluster.WaitHealthy(ctx, "default", "web"); err != nil {
		t.Fatalf("web after scaling: %v", err)
	}
}
