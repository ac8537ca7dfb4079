package diagram

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestPreviousPictureStaysInItsScope: a late layout falls back to an older
// picture only of the same scope (viewer login): a viewer who may read
// nothing of the cluster never gets the picture drawn for the whole of it.
func TestPreviousPictureStaysInItsScope(t *testing.T) {
	d := newTestDrawer(t, 4, WithDeadline(0))
	old, st := jobs(2, 3, 2)
	if _, err := d.TopologyLayout(t.Context(), old, viewmodel.Filter{}); err != nil {
		t.Fatal(err)
	}
	next := st.Apply(fixture.Alloc("late1", "late").Node("node00").Upsert())
	elsewhere := model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "elsewhere", Read: true}}})
	busy(t)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	l, err := d.TopologyLayout(ctx, next.Restrict(elsewhere), viewmodel.Filter{})
	if errors.Is(err, ErrLate) {
		return // no picture at all: nothing crossed
	}
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(l.Banner, "Showing version") || len(l.Namespaces) != 0 || len(l.Groups) != 0 {
		t.Fatalf("a viewer of no namespace got another scope's picture: banner %q, %d namespaces, %d groups", l.Banner, len(l.Namespaces), len(l.Groups))
	}
}
