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
	if l.Notice != "" {
		s += ". " + l.Notice
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return num(float64(n)) + " " + noun + "s"
}

// diagramCSS styles the SVG; it travels inside it so the picture looks the
// same in a page, a test file or a screenshot.
const diagramCSS = `
.netviz-diagram{font-family:Helvetica,Arial,sans-serif;font-size:11px;background:#fff}
.netviz-diagram text{fill:#222}
.netviz-diagram .legend text{font-size:10px;fill:#333}
.netviz-diagram .notice{font-size:12px;font-weight:bold;fill:#8a4b00}
.host-box{fill:#f7fbfa;stroke:#2f6f6a;stroke-width:1.6}
.host-name{font-weight:bold;fill:#2f6f6a!important;font-size:11px}
.host-addr{font-weight:normal}
.ruler-band{fill:#fff;stroke:#2f6f6a;stroke-width:1}
.ruler-dynamic{fill:#cfe3e1}
.ruler-end{font-size:8px;fill:#666!important}
.tick line{stroke:#333;stroke-width:1}
.tick.static line{stroke:#000;stroke-width:2.2}
.tick-label{font-size:8.5px}
.port-lead{fill:none;stroke:#777;stroke-width:1}
.tick.static .port-lead{stroke:#222;stroke-width:1.4}
.tick.static .tick-label{font-weight:bold}
.ns rect{fill:#fffaf2;stroke:#d97706;stroke-width:1.4;stroke-dasharray:6 3}
.ns.ns-host rect{fill:#eaf4f2;stroke:#2f6f6a;stroke-dasharray:none;stroke-width:1}
.ns-title{font-weight:bold;fill:#9a4f00!important}
.ns.ns-host .ns-title{fill:#2f6f6a!important}
.ns-sub{font-size:10px;fill:#555!important}
.task rect{fill:#fff;stroke:#1f5fae;stroke-width:1.3}
.task-name{fill:#1f5fae!important;font-weight:bold}
.task-driver{font-size:9px;fill:#557!important}
.proxy rect{fill:url(#nv-hatch);stroke:#6b46c1;stroke-width:1.3}
.proxy text{fill:#3d2373!important;font-size:10px;paint-order:stroke;stroke:#fff;stroke-width:3px}
.proxy-port{font-weight:bold}
.pin-mark{fill:#fff;stroke:#d97706;stroke-width:1.4}
.pin.static .pin-mark{fill:#222;stroke:#222}
.pin-lead{stroke:#d97706;stroke-width:1}
.pin-text{font-size:10px}
.pin.static .pin-text{font-weight:bold}
.pin.on-proxy .pin-mark{stroke:#6b46c1}
.registry rect{fill:#fcfcfc;stroke:#666;stroke-width:1.2;stroke-dasharray:1.5 3}
.registry-title{font-size:10px;font-weight:bold;fill:#555!important}
.entry rect{fill:#fff;stroke:#888;stroke-width:1}
.entry-name{font-weight:bold}
.entry-line{font-size:9.5px;fill:#444!important}
.entry-service rect{stroke-dasharray:4 2}
.entry.broken rect{stroke:#d62828}
.arrow path{fill:none;stroke:#444;stroke-width:1.2}
.arrow-label{font-size:10px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.arrow-same path,.arrow-discovery path{stroke-dasharray:5 3}
.arrow-lookup path{stroke:#8a8a8a;stroke-dasharray:1.5 2.5}
.arrow-port path{stroke:#d97706;stroke-width:1}
.arrow-sidecar path,.arrow-listener path{stroke:#6b46c1}
.arrow-ingress path{stroke-width:1.8}
.arrow-upstream path{stroke-width:2}
.intent-allow path{stroke:#1f9d3a}
.intent-deny path{stroke:#d62828}
.intent-unknown path{stroke:#8a8a8a}
.intent-allow .arrow-label{fill:#1f7a31}
.intent-deny .arrow-label{fill:#b01e1e}
.arrow.broken path{stroke:#d62828;stroke-dasharray:5 3}
.arrow.broken .arrow-label{fill:#b01e1e}
a:hover rect{stroke-width:2.4}
`
