//go:build integration

package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
)

// xssJobFile is a job whose names, tags and meta carry markup that runs
// script (setting window.__xss) if a page inserts it unescaped.
const xssJobFile = "testdata/xss.nomad.hcl"

// hostileTab is a tab that ignores the pages' Content-Security-Policy, so
// the test sees whether the markup is escaped, not whether the CSP happens
// to stop inline handlers.
func hostileTab(t *testing.T) context.Context {
	t.Helper()
	tab := newTab(t)
	if _, err := chromedp.Call(tab, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatalf("bypass CSP: %v", err)
	}
	return tab
}

// assertInert checks that nothing of the payload ran or became an element,
// and that want appears on the page as text.
func assertInert(t *testing.T, tab context.Context, page, want string) {
	t.Helper()
	// An injected <img onerror> runs once its load fails: wait for that.
	poll[bool](t, tab, "the page and its images loaded",
		`document.readyState === "complete" && Array.from(document.images).every((i) => i.complete)`)
	if v := eval[string](t, tab, `typeof window.__xss === "undefined" ? "undefined" : String(window.__xss)`); v != "undefined" {
		t.Errorf("%s: window.__xss = %s: the payload ran", page, v)
	}
	injected := eval[[]string](t, tab, `Array.from(
		document.querySelectorAll('script:not([src]), img[src="x"], [onerror], [onload]'), (el) => el.outerHTML)`)
	if len(injected) > 0 {
		t.Errorf("%s: payload became elements: %v", page, injected)
	}
	if want != "" && !eval[bool](t, tab, fmt.Sprintf(`document.body.textContent.includes(%s)`, js(want))) {
		t.Errorf("%s: the text %q is not on the page", page, want)
	}
}

// payload is markup that runs script in every HTML context it could land in
// unescaped: element content, a quoted or unquoted attribute.
const payload = `<script>window.__xss=1</script>"'><img src=x onerror=window.__xss=2>`

// TestReflectedInput puts the payload in every address part a page echoes:
// queries (reach, filters) and the names in object pages that do not exist.
func TestReflectedInput(t *testing.T) {
	q := url.QueryEscape(payload)
	pages := []struct {
		name, path string
		// echoed: the page repeats the input, as text or in a form field. An
		// object name holding "/" matches no route, so those get the plain 404.
		echoed bool
	}{
		{"reach", "/reach?from=" + q + "&to=" + q, true},
		{"topology filter", "/topology?job=" + q + "&text=" + q, true},
		{"services filter", "/services?node=" + q, true},
		{"allocation", "/allocations/" + url.PathEscape(payload), false},
		{"node", "/nodes/" + url.PathEscape(payload), false},
		{"service", "/services/" + url.PathEscape(payload), false},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			tab := hostileTab(t)
			// Pages of unknown objects may not go live: wait for the load only.
			if err := chromedp.Do(tab, chromedp.Navigate(env.base+p.path)); err != nil {
				t.Fatalf("navigate: %v", err)
			}
			assertInert(t, tab, p.path, "")
			shown := eval[bool](t, tab, fmt.Sprintf(`document.body.textContent.includes(%[1]s) ||
				Array.from(document.querySelectorAll("input"), (i) => i.value).includes(%[1]s)`, js(payload)))
			if p.echoed && !shown {
				t.Errorf("%s does not show the payload as text or as an input's value", p.path)
			}
		})
	}
}

func TestHostileNames(t *testing.T) {
	t.Run("control: the payload runs when inserted raw", func(t *testing.T) {
		// Without this the test below could pass because nothing could ever
		// run: the CSP bypass works and an unescaped payload is caught.
		tab := hostileTab(t)
		open(t, tab, "/")
		eval[bool](t, tab, `document.body.insertAdjacentHTML("beforeend", "<img src=x onerror=window.__xss=2>") === undefined`)
		poll[bool](t, tab, "window.__xss set by the raw payload", `window.__xss === 2`)
	})

	// Two pages open before the job exists: it reaches them in a live push.
	topo := hostileTab(t)
	open(t, topo, "/topology")
	over := hostileTab(t)
	open(t, over, "/")

	ctx := context.Background()
	job, err := env.cluster.Run(ctx, xssJobFile)
	if err != nil {
		t.Fatalf("register the hostile job: %v", err)
	}
	jobID, group, task := *job.ID, *job.TaskGroups[0].Name, job.TaskGroups[0].Tasks[0].Name
	tag := job.TaskGroups[0].Services[0].Tags[0]
	t.Logf("Nomad accepted job ID %q, group %q, task %q", jobID, group, task)

	var alloc *model.Allocation
	t.Cleanup(func() { removeHostile(t, jobID, alloc) })
	waitModel(t, "the hostile job running with its service", func(s *model.Snapshot) error {
		for _, a := range s.AllocationsOfJob("default", jobID) {
			if a.ClientStatus == "running" {
				alloc = a
			}
		}
		if alloc == nil {
			return errors.New("no running allocation")
		}
		if len(s.ServicesNamed("xss-web")) == 0 {
			return errors.New("no xss-web instance")
		}
		return nil
	})

	t.Run("pushed into open pages", func(t *testing.T) {
		poll[bool](t, topo, "the hostile namespace on /topology",
			fmt.Sprintf(`!!document.querySelector('[data-testid="ns-' + CSS.escape(%s) + '"]')`, js(alloc.ID)))
		assertInert(t, topo, "/topology (pushed)", jobID)
		poll[bool](t, over, "the hostile job on /", fmt.Sprintf(
			`Array.from(document.querySelectorAll('[data-testid="job-link"]')).some((a) => a.textContent === %s)`, js(jobID)))
		assertInert(t, over, "/ (pushed)", jobID)
	})

	pages := []struct {
		path string
		// want is text the page must show, escaped, as written.
		want string
	}{
		{"/", jobID},
		{"/topology", jobID},
		{"/allocations/" + alloc.ID, task},
		{"/nodes/" + alloc.NodeID, jobID},
		{"/services", "xss-web"},
		{"/services/xss-web", tag},
	}
	for _, p := range pages {
		t.Run("loaded "+p.path, func(t *testing.T) {
			tab := hostileTab(t)
			open(t, tab, p.path)
			assertInert(t, tab, p.path, p.want)
			if p.path == "/allocations/"+alloc.ID && !strings.Contains(byTestID(t, tab, "heading").Text, "onerror=window.__xss=3") {
				t.Errorf("allocation heading %q lacks the group name", byTestID(t, tab, "heading").Text)
			}
		})
	}
}

// removeHostile purges the hostile job and has Nomad collect its allocation
// at once, which unmounts the task's secret dirs. The cluster's own cleanup
// would miss them: their path holds the task name, spaces included, and
// /proc/self/mounts writes a space as \040.
func removeHostile(t *testing.T, jobID string, alloc *model.Allocation) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), modelWait)
	defer cancel()
	if err := env.cluster.Stop(ctx, "default", jobID, true); err != nil {
		t.Errorf("purge the hostile job: %v", err)
		return
	}
	if alloc == nil {
		return
	}
	err := pollUntil(ctx, func() error {
		a, _, err := env.cluster.Nomad().Allocations().Info(alloc.ID, (&nomadapi.QueryOptions{}).WithContext(ctx))
		if err != nil {
			return err
		}
		if a.ClientStatus == "pending" || a.ClientStatus == "running" {
			return fmt.Errorf("allocation still %s", a.ClientStatus)
		}
		return nil
	})
	if err == nil {
		err = env.cluster.Nomad().Nodes().GcAlloc(alloc.ID, (&nomadapi.QueryOptions{}).WithContext(ctx))
		// The endpoint answers with an empty body, which the client tries
		// to decode; the mounts tell whether the collection happened.
		if errors.Is(err, io.EOF) {
			err = nil
		}
	}
	if err == nil {
		err = pollUntil(ctx, func() error { return mountsOf(alloc.ID) })
	}
	if err != nil {
		t.Errorf("remove the hostile allocation %s: %v", alloc.ID, err)
	}
}

// mountsOf fails while any mount point holds the allocation ID.
func mountsOf(allocID string) error {
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return err
	}
	if n := strings.Count(string(mounts), "/"+allocID+"/"); n > 0 {
		return fmt.Errorf("%d mounts left", n)
	}
	return nil
}
