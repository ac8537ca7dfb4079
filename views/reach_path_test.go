package views_test

import (
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/netviz/netviz/views"
)

// TestReachPathDrawing: every path of an answer is drawn, one box per hop,
// in its verdict's colour, with the stopping hop marked.
func TestReachPathDrawing(t *testing.T) {
	snap := cluster(t)
	for _, q := range [][2]string{{"web", "api"}, {"web", "redis"}} {
		v := views.NewReachView(snap, q[0], q[1])
		if v.Result == nil {
			t.Fatalf("%v: %s", q, v.Error)
		}
		d := doc(t, renderPage(t, views.ReachPage(chrome(snap, "/reach"), v, views.ReachSuggestions(snap))))
		drawings := d.Find(testid("path-drawing"))
		if drawings.Length() != len(v.Paths) || len(v.Paths) == 0 {
			t.Fatalf("%v: %d drawings for %d paths", q, drawings.Length(), len(v.Paths))
		}
		drawings.Each(func(i int, s *goquery.Selection) {
			p := v.Paths[i]
			if got := s.AttrOr("data-verdict", ""); got != string(p.Verdict) {
				t.Errorf("%v path %d drawn %q, is %s", q, i, got, p.Verdict)
			}
			hops := s.Find(testid("path-hop"))
			if hops.Length() != len(p.Steps) {
				t.Errorf("%v path %d: %d boxes for %d hops", q, i, hops.Length(), len(p.Steps))
			}
			blocked := s.Find(testid("path-hop") + `[data-blocked="true"]`).Length()
			wantBlocked := 0
			for _, h := range p.Steps {
				if h.Blocked {
					wantBlocked++
				}
			}
			if blocked != wantBlocked {
				t.Errorf("%v path %d: %d blocked boxes, want %d", q, i, blocked, wantBlocked)
			}
		})
	}
}

func TestLayoutPathLeftToRight(t *testing.T) {
	p := views.PathRow{Steps: []views.HopRow{{}, {}, {}}}
	p.Steps[0].Label, p.Steps[1].Label, p.Steps[2].Label = "a", "a much longer label than the others, cut to fit", "c"
	d := views.LayoutPath(p)
	for i := 1; i < len(d.Boxes); i++ {
		prev, b := d.Boxes[i-1], d.Boxes[i]
		if b.X <= prev.X+prev.Width || b.ArrowX1 < prev.X+prev.Width || b.ArrowX2 > b.X {
			t.Errorf("box %d at %d overlaps or its arrow misses (prev %+v)", i, b.X, prev)
		}
	}
	if last := d.Boxes[2]; d.Width < last.X+last.Width {
		t.Errorf("drawing %d wide, last box ends at %d", d.Width, last.X+last.Width)
	}
	if d.Boxes[1].Full != p.Steps[1].Label || len([]rune(d.Boxes[1].Label)) > 30 {
		t.Errorf("long label %q (full %q)", d.Boxes[1].Label, d.Boxes[1].Full)
	}
}
