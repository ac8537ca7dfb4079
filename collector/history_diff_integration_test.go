//go:build integration

package collector_test

import (
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"
)

// checkDiffPicture fetches /diff's picture of the hist job between
// recorded steps of TestHistoryOnRealCluster: the scale from one to five
// allocations draws the four new ones marked added and the one Nomad
// updated in place marked changed (its job version moved); the stop draws
// the five stopped allocations from before, marked removed.
func checkDiffPicture(t *testing.T, base string, one, five, replaced, stopped histTruth) {
	t.Helper()
	page := func(from, to time.Time) string {
		resp, err := http.Get(base + "/diff?job=hist&from=" + url.QueryEscape(from.Format(time.RFC3339Nano)) + "&to=" + url.QueryEscape(to.Format(time.RFC3339Nano)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("/diff: %d %v", resp.StatusCode, err)
		}
		return string(b)
	}
	marked := func(html, mark string) []string {
		var ids []string
		for _, m := range regexp.MustCompile(`class="ns[^"]* `+mark+`" data-testid="ns-([0-9a-f-]{36})"`).FindAllStringSubmatch(html, -1) {
			ids = append(ids, m[1])
		}
		slices.Sort(ids)
		return ids
	}
	var added, kept []string
	for id := range five.allocs {
		if _, ok := one.allocs[id]; ok {
			kept = append(kept, id)
		} else {
			added = append(added, id)
		}
	}
	slices.Sort(added)
	slices.Sort(kept)
	scale := page(one.at, five.at)
	if got := marked(scale, "added"); !slices.Equal(got, added) || len(added) != 4 {
		t.Errorf("scale 1 → 5: added boxes %v, want %v", got, added)
	}
	if got := marked(scale, "changed"); !slices.Equal(got, kept) {
		t.Errorf("scale 1 → 5: changed boxes %v, want %v (updated in place)", got, kept)
	}
	if got := marked(scale, "removed"); len(got) != 0 {
		t.Errorf("scale 1 → 5: removed boxes %v", got)
	}
	stop := page(replaced.at, stopped.at)
	if got, want := marked(stop, "removed"), slices.Sorted(maps.Keys(replaced.allocs)); !slices.Equal(got, want) || len(want) != 5 {
		t.Errorf("stop: removed boxes %v, want %v", got, want)
	}
	if got := marked(stop, "added"); len(got) != 0 {
		t.Errorf("stop: added boxes %v", got)
	}
}
