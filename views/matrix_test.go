package views_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

func TestReachMatrix(t *testing.T) {
	snap := cluster(t)
	m := reach.MatrixOf(snap, reach.Window{})
	var buf bytes.Buffer
	if err := views.ReachMatrix(m).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	d, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	cells := d.Find(testid("reach-cell"))
	if want := len(m.Services) * (len(m.Services) - 1); cells.Length() != want || want == 0 {
		t.Fatalf("%d cells, want %d", cells.Length(), want)
	}
	cells.Each(func(_ int, c *goquery.Selection) {
		from, to := c.AttrOr("data-from", ""), c.AttrOr("data-to", "")
		cell, ok := m.Cell(from, to)
		if !ok || c.AttrOr("data-verdict", "") != string(cell.Verdict) {
			t.Errorf("cell %s → %s shows %q, model says %+v", from, to, c.AttrOr("data-verdict", ""), cell)
		}
		if href := c.Find("a").AttrOr("href", ""); href != viewmodel.ReachHref(from, to) {
			t.Errorf("cell %s → %s links to %q", from, to, href)
		}
	})
}

// TestReachIdleShowsMatrix: /reach with no question shows the matrix.
func TestReachIdleShowsMatrix(t *testing.T) {
	snap := cluster(t)
	v := viewmodel.NewReachView(snap, "", "", reach.Window{})
	d := doc(t, renderPage(t, views.ReachPage(chrome(snap, "/reach"), v, viewmodel.ReachSuggestions(snap))))
	if d.Find(testid("reach-idle")).Length() != 1 || d.Find(testid("reach-matrix")).Length() != 1 {
		t.Error("the idle reach page lacks its prompt or the matrix")
	}
	asked := viewmodel.NewReachView(snap, "web", "api", reach.Window{})
	if asked.Matrix != nil {
		t.Error("an asked question carries the matrix too")
	}
}
