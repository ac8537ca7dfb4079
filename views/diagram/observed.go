package diagram

import (
	"fmt"
	"strconv"
	"time"
)

// observedEdges draws the connections netviz agents saw, solid and in
// their own colour beside the declared arrows: from the client's
// allocation to the destination's port pin (its sidecar's, for the mesh).
// They never pull ranks, so the declared picture keeps its shape. Ends
// that are not drawn (filtered out, host, external) draw no arrow.
func (b *builder) observedEdges() {
	for _, e := range b.snap.ObservedEdges() {
		src := b.allocs[e.From]
		dst := b.allocs[e.To]
		if src == nil || dst == nil {
			continue
		}
		to := dst.pins[e.Port]
		if to == "" {
			to = dst.main
		}
		class := "arrow-observed"
		if !e.Established {
			class += " observed-attempt"
		}
		b.addArrow(arrowSpec{kind: "observed", from: src.main, to: to, loose: true, class: class,
			label: "seen ×" + strconv.Itoa(e.Count),
			title: fmt.Sprintf("observed %s to %s: %d connections, first %s, last %s", e.Kind, e.Port, e.Count,
				e.FirstSeen.UTC().Format(time.TimeOnly), e.LastSeen.UTC().Format(time.TimeOnly)),
			testID: "observed-" + string(e.Kind) + "-" + e.From + "-" + e.To + "-" + e.Port})
	}
}

// observedCSS styles observed arrows and their switch; it travels only in
// pictures that have them. The switch is a plain checkbox beside the
// picture (no script): checked, it hides the observed arrows.
const observedCSS = `
.netviz-diagram .arrow-observed path{stroke:#0a7ea4;stroke-width:1.6;stroke-dasharray:none}
.netviz-diagram .arrow-observed .arrow-label{fill:#075e7b}
.netviz-diagram .observed-attempt path{stroke-dasharray:2 2}
.netviz-diagram-scroll:has(.observed-toggle input:checked) .arrow-kind-observed{display:none}
.observed-toggle{font-size:12px;color:#075e7b}
`

// hasObserved reports whether a picture draws observed arrows.
func hasObserved(l *Layout) bool {
	for _, a := range l.Arrows {
		if a.Kind == "observed" {
			return true
		}
	}
	return false
}
