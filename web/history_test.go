package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/history/record"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
	"github.com/netviz/netviz/web"
)

// getAsOf fetches a URL and returns the status, the As-Of header and the body.
func getAsOf(t *testing.T, u string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Netviz-As-Of"), string(b)
}

// TestTimeTravel: with a real recorder behind the server, a page and its
// twin as of a time before an allocation stopped show it; the live ones
// do not; the timeline lists the stop.
func TestTimeTravel(t *testing.T) {
	st := newStore(t)
	st.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected}},
		model.SetConsulStatus{Status: model.SourceStatus{State: model.StateConnected}})
	rec := record.New(st, record.Options{Dir: t.TempDir(), GroupQuiet: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = rec.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	ts := httptest.NewServer(web.New(st, web.Options{History: rec}).Handler())
	defer ts.Close()

	started := func() bool {
		es, err := rec.Timeline(t.Context(), history.Query{})
		return err == nil && len(es) > 0
	}
	for deadline := time.Now().Add(waitLimit); !started(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("history did not start")
		}
	}
	before := time.Now().UTC()
	st.Apply(model.DeleteAllocation{ID: fixture.AllocIngress2})
	var tl viewmodel.Timeline
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(50 * time.Millisecond) {
		code, _, body := getAsOf(t, ts.URL+"/api/v1/timeline?kind=alloc-stopped")
		if code != http.StatusOK {
			t.Fatalf("timeline: %d %s", code, body)
		}
		if err := json.Unmarshal([]byte(body), &tl); err != nil {
			t.Fatal(err)
		}
		if len(tl.Entries) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no alloc-stopped entry")
		}
	}
	if e := tl.Entries[0]; e.Alloc != fixture.AllocIngress2 || e.Job != "ingress" || e.Time.Before(before) {
		t.Errorf("entry = %+v", e.Entry)
	}

	at := url.QueryEscape(before.Format(time.RFC3339Nano))
	api := "/api/v1/allocations/" + fixture.AllocIngress2
	if code, asOf, body := getAsOf(t, ts.URL+api+"?at="+at); code != http.StatusOK || asOf == "" {
		t.Errorf("past API: %d as-of %q %.200s", code, asOf, body)
	}
	if code, _, _ := getAsOf(t, ts.URL+api); code != http.StatusNotFound {
		t.Errorf("live API: %d, want 404 (the allocation stopped)", code)
	}
	code, _, page := getAsOf(t, ts.URL+"/allocations/"+fixture.AllocIngress2+"?at="+at)
	if code != http.StatusOK || !strings.Contains(page, `data-testid="as-of-banner"`) || strings.Contains(page, "ws-connect") {
		t.Errorf("past page: %d, banner or live connection wrong", code)
	}
	if code, _, body := getAsOf(t, ts.URL+"/api/v1/overview?at=2000-01-01T00:00:00Z"); code != http.StatusNotFound || !strings.Contains(body, "no picture") {
		t.Errorf("before history: %d %s", code, body)
	}
	if code, _, _ := getAsOf(t, ts.URL+"/topology?at=soon"); code != http.StatusBadRequest {
		t.Errorf("bad time: %d", code)
	}
	if code, _, page := getAsOf(t, ts.URL+"/timeline?job=ingress"); code != http.StatusOK || !strings.Contains(page, `data-kind="alloc-stopped"`) {
		t.Errorf("timeline page: %d", code)
	}
	code, _, body := getAsOf(t, ts.URL+"/api/v1/diff?from="+at)
	var d viewmodel.Diff
	if err := json.Unmarshal([]byte(body), &d); err != nil || code != http.StatusOK || len(d.Entries) != 1 ||
		d.Entries[0].Kind != history.KindAllocStopped || d.Entries[0].Alloc != fixture.AllocIngress2 {
		t.Errorf("diff: %d %s", code, body)
	}
	code, _, page = getAsOf(t, ts.URL+"/diff?from="+at)
	if code != http.StatusOK || !strings.Contains(page, `data-kind="alloc-stopped"`) {
		t.Errorf("diff page: %d", code)
	}
	// The picture draws the stopped allocation from then, marked removed.
	if !strings.Contains(page, `data-testid="diff-diagram"`) ||
		!regexp.MustCompile(`class="ns[^"]* removed" data-testid="ns-`+fixture.AllocIngress2).MatchString(page) {
		t.Errorf("diff picture: no removed box for %s", fixture.AllocIngress2)
	}
	// ?job= narrows the picture (not the list).
	if _, _, page := getAsOf(t, ts.URL+"/diff?job=web&from="+at); strings.Contains(page, `data-testid="ns-`+fixture.AllocIngress2) ||
		!strings.Contains(page, `data-testid="ns-`+fixture.AllocWeb) || !strings.Contains(page, `data-kind="alloc-stopped"`) {
		t.Error("diff picture narrowed to job web: wrong boxes or list")
	}
	// A past page's banner has the time slider over what history holds.
	code, _, page = getAsOf(t, ts.URL+"/topology?at="+at)
	if code != http.StatusOK || !strings.Contains(page, `data-testid="as-of-slider"`) {
		t.Errorf("past topology: %d, no time slider", code)
	}
}
