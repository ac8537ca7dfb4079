package views_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// hostileEntries are timeline entries whose every text is the payload.
func hostileEntries() []history.Entry {
	h := fixture.HostileText
	return []history.Entry{{Time: fixture.Epoch, Kind: history.KindAllocPlaced, Namespace: h, Job: h, Group: h, Alloc: h,
		Service: h, Node: h, NodeName: h, Summary: h, Before: h, After: h, Unwatched: true}}
}

func hostileTimeline() viewmodel.Timeline {
	q := viewmodel.TimelineQueryFromQuery(url.Values{viewmodel.ParamJob: {fixture.HostileText}, viewmodel.ParamKind: {fixture.HostileText}})
	return viewmodel.NewTimeline(q, history.Query{Since: fixture.Epoch}, hostileEntries(), nil)
}

// asOfChrome is a past page's chrome whose links and picker carry the payload.
func asOfChrome(snap *model.Snapshot) views.Chrome {
	c := chrome(snap, "")
	h := fixture.HostileText
	live := "/?" + url.Values{"q": {h}}.Encode()
	c.AsOf = &views.AsOf{Time: fixture.Epoch, Version: 3, Path: "/", Params: [][2]string{{"q", h}}, Live: live,
		Earlier: viewmodel.AtHref(live, fixture.Epoch), Later: viewmodel.AtHref(live, fixture.Epoch), Timeline: "/timeline", Diff: "/diff"}
	return c
}

// hostileDiff is the diff page between the hostile cluster and the same
// cluster a moment later, with the hostile node and allocation gone: both
// drawn from the earlier model, marked removed, linking to their pages then.
func hostileDiff(t *testing.T) views.Page {
	t.Helper()
	before := cluster(t, fixture.Hostile()...)
	after := before.DryRun(model.DeleteAllocation{ID: fixture.HostileAlloc}, model.DeleteNode{ID: fixture.HostileNode})
	merged, m := views.DiffPicture(before, after, fixture.Epoch)
	if !m.Removed[fixture.HostileAlloc] || m.Nodes[fixture.HostileNode] != "removed" {
		t.Fatalf("marks %+v", m)
	}
	pic, err := diagram.Check(context.Background(), merged, viewmodel.Filter{}, m)
	if err != nil {
		t.Fatal(err)
	}
	d := viewmodel.NewDiff(fixture.HostileText, fixture.HostileText, fixture.Epoch, fixture.Epoch, hostileEntries(), nil)
	return views.DiffPage(chrome(after, ""), d, views.DiffDiagram{Picture: pic, Marks: m})
}
