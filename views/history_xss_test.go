package views_test

import (
	"net/url"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
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
