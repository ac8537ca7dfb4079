package diagram

import "strings"

// legendMinWidth keeps the legend readable in a narrow diagram.
const legendMinWidth = 1040

// arrowMarker is an arrowhead colour.
type arrowMarker struct{ name, color string }

// markers are the arrowheads, one per arrow colour (SVG 1.1 markers cannot
// take their colour from the line).
var markers = []arrowMarker{
	{"dark", "#444"},
	{"allow", "#1f9d3a"},
	{"deny", "#d62828"},
	{"unknown", "#8a8a8a"},
	{"purple", "#6b46c1"},
}

// marker picks the arrowhead for an arrow's classes.
func marker(class string) string {
	name := "dark"
	switch {
	case strings.Contains(class, "intent-deny"), strings.Contains(class, "broken"):
		name = "deny"
	case strings.Contains(class, "intent-allow"):
		name = "allow"
	case strings.Contains(class, "intent-unknown"), strings.Contains(class, "arrow-lookup"):
		name = "unknown"
	case strings.Contains(class, "arrow-sidecar"), strings.Contains(class, "arrow-listener"):
		name = "purple"
	}
	return "url(#nv-arrow-" + name + ")"
}

// legendItem is an arrow style in the legend.
type legendItem struct{ class, text string }

var legendArrows = []legendItem{
	{"arrow-same", "same namespace"},
	{"arrow-listener", "to local proxy"},
	{"arrow-upstream intent-allow", "mesh: allowed"},
	{"arrow-upstream intent-deny", "mesh: denied"},
	{"arrow-upstream intent-unknown", "mesh: unknown"},
	{"arrow-discovery", "discovery"},
	{"arrow-lookup", "registry lookup"},
	{"arrow-ingress broken", "broken (no instance)"},
}

// entryLineClass styles an entry's first line (the service name) apart.
func entryLineClass(i int) string {
	if i == 0 {
		return "entry-name"
	}
	return "entry-line"
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// summary is the diagram's accessible name.
func summary(l *Layout) string {
	s := "Network diagram: " + plural(len(l.Hosts), "node") + ", " + plural(len(l.Namespaces), "namespace") +
		", " + plural(len(l.Arrows), "connection")
	if l.Aggregated {
		s = "Network diagram: " + plural(len(l.Groups), "job/group box") + ", " + plural(len(l.Arrows), "connection")
	}
	if l.Notice != "" {
		s += ". " + l.Notice
	}
	if l.Banner != "" {
		s += " " + l.Banner
	}
	return s
}

// bannerHeight is the room the banner takes above the picture.
func bannerHeight(l *Layout) float64 {
	if l.Banner == "" {
		return 0
	}
	return 26
}

// Text that must fit the scale view's small boxes, in characters.
const (
	cardLineRunes = 38
	chipNameRunes = 18
)

// cardTitleRunes is how much of a card's title fits beside its count and
// its connections.
func cardTitleRunes(g GroupBox) int {
	room := g.W - 12 - textWidth(" ×"+count(g.Count), 11) - textWidth(g.More, 9.5) - 8
	return max(8, int(room/6.6))
}

// groupTitleRunes is how much of a group box's title fits beside its count.
func groupTitleRunes(g GroupBox) int {
	room := g.W - 12 - textWidth(" ×"+count(g.Count), 11)
	return min(maxLabelRunes, max(8, int(room/6.6)))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return count(n) + " " + noun + "s"
}

// diagramCSS styles the SVG; it travels inside it so the picture looks the
// same in a page, a test file or a screenshot. A <style> in inline SVG
// applies to the whole page, so every rule is scoped to .netviz-diagram.
const diagramCSS = `
.netviz-diagram{font-family:Helvetica,Arial,sans-serif;font-size:11px;background:#fff}
.netviz-diagram text{fill:#222}
.netviz-diagram .legend text{font-size:10px;fill:#333}
.netviz-diagram .notice{font-size:12px;font-weight:bold;fill:#8a4b00}
.netviz-diagram .host-box{fill:#f7fbfa;stroke:#2f6f6a;stroke-width:1.6}
.netviz-diagram .host-name{font-weight:bold;fill:#2f6f6a!important;font-size:11px}
.netviz-diagram .host-addr{font-weight:normal}
.netviz-diagram .ruler-band{fill:#fff;stroke:#2f6f6a;stroke-width:1}
.netviz-diagram .ruler-dynamic{fill:#cfe3e1}
.netviz-diagram .ruler-end{font-size:8px;fill:#666!important}
.netviz-diagram .tick line{stroke:#333;stroke-width:1}
.netviz-diagram .tick.static line{stroke:#000;stroke-width:2.2}
.netviz-diagram .tick-label{font-size:8.5px}
.netviz-diagram .port-lead{fill:none;stroke:#777;stroke-width:1}
.netviz-diagram .tick.static .port-lead{stroke:#222;stroke-width:1.4}
.netviz-diagram .tick.static .tick-label{font-weight:bold}
.netviz-diagram .ns rect{fill:#fffaf2;stroke:#d97706;stroke-width:1.4;stroke-dasharray:6 3}
.netviz-diagram .ns.ns-host rect{fill:#eaf4f2;stroke:#2f6f6a;stroke-dasharray:none;stroke-width:1}
.netviz-diagram .ns-title{font-weight:bold;fill:#9a4f00!important}
.netviz-diagram .ns.ns-host .ns-title{fill:#2f6f6a!important}
.netviz-diagram .ns-sub{font-size:10px;fill:#555!important}
.netviz-diagram .task rect{fill:#fff;stroke:#1f5fae;stroke-width:1.3}
.netviz-diagram .task-name{fill:#1f5fae!important;font-weight:bold}
.netviz-diagram .task-driver{font-size:9px;fill:#557!important}
.netviz-diagram .proxy rect{fill:url(#nv-hatch);stroke:#6b46c1;stroke-width:1.3}
.netviz-diagram .proxy text{fill:#3d2373!important;font-size:10px;paint-order:stroke;stroke:#fff;stroke-width:3px}
.netviz-diagram .proxy-port{font-weight:bold}
.netviz-diagram .pin-mark{fill:#fff;stroke:#d97706;stroke-width:1.4}
.netviz-diagram .pin.static .pin-mark{fill:#222;stroke:#222}
.netviz-diagram .pin-lead{stroke:#d97706;stroke-width:1}
.netviz-diagram .pin-text{font-size:10px}
.netviz-diagram .pin.static .pin-text{font-weight:bold}
.netviz-diagram .pin.on-proxy .pin-mark{stroke:#6b46c1}
.netviz-diagram .registry rect{fill:#fcfcfc;stroke:#666;stroke-width:1.2;stroke-dasharray:1.5 3}
.netviz-diagram .registry-title{font-size:10px;font-weight:bold;fill:#555!important}
.netviz-diagram .entry rect{fill:#fff;stroke:#888;stroke-width:1}
.netviz-diagram .entry-name{font-weight:bold}
.netviz-diagram .entry-line{font-size:9.5px;fill:#444!important}
.netviz-diagram .entry-service rect{stroke-dasharray:4 2}
.netviz-diagram .entry-outside rect{fill:#f4f4f4;stroke:#222;stroke-width:1.2}
.netviz-diagram .arrow-entry path{stroke:#222;stroke-width:1.4}
.netviz-diagram .entry.broken rect{stroke:#d62828}
.netviz-diagram .arrow path{fill:none;stroke:#444;stroke-width:1.2}
.netviz-diagram .arrow-label{font-size:10px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.netviz-diagram .arrow-same path,.netviz-diagram .arrow-discovery path{stroke-dasharray:5 3}
.netviz-diagram .arrow-lookup path{stroke:#8a8a8a;stroke-dasharray:1.5 2.5}
.netviz-diagram .arrow-port path{stroke:#d97706;stroke-width:1}
.netviz-diagram .arrow-sidecar path,.netviz-diagram .arrow-listener path{stroke:#6b46c1}
.netviz-diagram .arrow-ingress path{stroke-width:1.8}
.netviz-diagram .arrow-upstream path{stroke-width:2}
.netviz-diagram .intent-allow path{stroke:#1f9d3a}
.netviz-diagram .intent-deny path{stroke:#d62828}
.netviz-diagram .intent-unknown path{stroke:#8a8a8a}
.netviz-diagram .intent-allow .arrow-label{fill:#1f7a31}
.netviz-diagram .intent-deny .arrow-label{fill:#b01e1e}
.netviz-diagram .arrow.broken path{stroke:#d62828;stroke-dasharray:5 3}
.netviz-diagram .arrow.broken .arrow-label{fill:#b01e1e}
.netviz-diagram a:hover rect{stroke-width:2.4}
`

// scaleCSS styles what only the scale view and a late picture's banner
// draw; it travels only in those pictures.
const scaleCSS = `
.netviz-diagram .banner rect{fill:#fff1d6;stroke:#d97706;stroke-width:1}
.netviz-diagram .banner text{font-size:12px;font-weight:bold;fill:#8a4b00}
.netviz-diagram .section{font-size:11px;font-weight:bold;fill:#555}
.netviz-diagram .group>rect{fill:#fffaf2;stroke:#d97706;stroke-width:1.4;stroke-dasharray:6 3}
.netviz-diagram .group-host>rect{fill:#eaf4f2;stroke:#2f6f6a;stroke-dasharray:none;stroke-width:1}
.netviz-diagram .group-host .ns-title{fill:#2f6f6a!important}
.netviz-diagram .group-count{fill:#222;font-weight:bold}
.netviz-diagram .group .task-name{font-size:9.5px}
.netviz-diagram .group .proxy .task-name{fill:#3d2373!important;font-weight:bold}
.netviz-diagram .group-more{font-size:9.5px;font-style:italic;fill:#666!important}
.netviz-diagram .group.problem .group-more{fill:#b01e1e!important;font-weight:bold}
.netviz-diagram .node-chip rect{fill:#fff;stroke:#2f6f6a;stroke-width:1}
.netviz-diagram .chip-name{font-size:9.5px}
.netviz-diagram .chip-count{font-size:9.5px;font-weight:bold;fill:#2f6f6a!important}
.netviz-diagram .band-more{font-size:9.5px;font-style:italic;fill:#555!important}
.netviz-diagram .entry-mark path{fill:none;stroke:#222;stroke-width:1.8}
.netviz-diagram .group-fan{font-size:9.5px;font-weight:bold;fill:#222!important}
.netviz-diagram .more rect{fill:#fff;stroke:#888;stroke-width:1;stroke-dasharray:4 2}
`
