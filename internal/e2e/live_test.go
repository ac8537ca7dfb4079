package e2e_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/graph"
)

// TestLiveUpdate scales the web job's group from 2 to 3 allocations through
// Nomad's API while the topology and overview pages are open, and checks
// that both show the new allocation without reloading (a JavaScript marker
// survives) and without moving the scroll position. It leaves the job at 3.
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
	// Scroll the topology down a little; a push must not move it.
	scrollY := eval[float64](t, topo, `(() => {
		window.scrollTo(0, Math.min(300, document.documentElement.scrollHeight - window.innerHeight));
		return window.scrollY;
	})()`)
	for _, tab := range []context.Context{topo, over} {
		eval[int](t, tab, `window.__noReload = 1`)
	}

	count := len(known) + 1
	start := time.Now()
	if _, _, err := env.cluster.Nomad().Jobs().Scale("web", "web", &count, "netviz e2e: live update", false, nil,
		&nomadapi.WriteOptions{Namespace: "default"}); err != nil {
		t.Fatalf("scale web to %d: %v", count, err)
	}

	newID := poll[string](t, topo, "a new web allocation on /topology", fmt.Sprintf(`(() => {
		const known = %s;
		const el = Array.from(document.querySelectorAll('[data-testid^="ns-"]')).find((el) =>
			!known.includes(el.dataset.testid.slice(3)) && (%s)(el).includes("web/web"));
		return el ? el.dataset.testid.slice(3) : "";
	})()`, js(known), jsText))
	t.Logf("topology showed the new allocation %s %s after the scale request", newID, time.Since(start).Round(time.Millisecond))

	poll[bool](t, over, "one more allocation on the overview", fmt.Sprintf(
		`document.querySelector('[data-testid="count-allocations"]')?.textContent.trim() === %s`, js(strconv.Itoa(allocsBefore+1))))
	poll[bool](t, over, "web with its new allocation count in the job list", fmt.Sprintf(
		`Array.from(document.querySelectorAll('[data-testid="job-list"] li')).some((li) => (%s)(li).startsWith("web ") && (%s)(li).includes("%d allocations"))`,
		jsText, jsText, count))
	t.Logf("overview showed %d allocations %s after the scale request", allocsBefore+1, time.Since(start).Round(time.Millisecond))

	for name, tab := range map[string]context.Context{"/topology": topo, "/": over} {
		if marker := eval[int](t, tab, `window.__noReload || 0`); marker != 1 {
			t.Errorf("%s reloaded: window.__noReload = %d", name, marker)
		}
	}
	if y := eval[float64](t, topo, `window.scrollY`); y != scrollY {
		t.Errorf("/topology scrolled from %v to %v", scrollY, y)
	}
	// The page followed the model, not the other way round.
	waitModel(t, "the new web allocation", func(s *graph.Snapshot) error {
		if s.Allocation(newID) == nil {
			return fmt.Errorf("allocation %s not in the model", newID)
		}
		return nil
	})
	// Later tests compare pages with Nomad: let the deployment settle first.
	ctx, cancel := context.WithTimeout(context.Background(), modelWait)
	defer cancel()
	if err := env.cluster.WaitHealthy(ctx, "default", "web"); err != nil {
		t.Fatalf("web after scaling: %v", err)
	}
}
