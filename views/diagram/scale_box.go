package diagram

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/netviz/netviz/views/viewmodel"
)

// The boxes of the scale view: what a job/group box says and how big it is.

// groupHref opens a group's allocations: the topology narrowed to its job.
func groupHref(f viewmodel.Filter, k groupKey) string {
	f.Namespace, f.Job = k.ns, k.job
	return viewmodel.TopologyHref(f)
}

// describeGroup describes a group's box (compact: its card).
func describeGroup(f viewmodel.Filter, g *group, multiNS, compact bool) GroupBox {
	title := g.key.job + "/" + g.key.group
	sub := g.modeText() + " · " + plural(len(g.nodes), "node")
	if multiNS {
		sub = "namespace " + g.key.ns + " · " + sub
	}
	box := GroupBox{
		Title: title, Sub: sub, Count: g.allocs, HostNetwork: g.hostOnly(), Compact: compact,
		Href: groupHref(f, g.key), TestID: "group-" + g.key.String(),
	}
	box.Ports = g.portLines()
	proxies := g.proxyLines()
	for i, e := range g.entries {
		if i == maxGroupEntries-1 && len(g.entries) > maxGroupEntries {
			box.Entries = append(box.Entries, GroupPort{Text: fmt.Sprintf("+%d more ways in", len(g.entries)-i)})
			break
		}
		from := e.from.job + "/" + e.from.group
		box.Entries = append(box.Entries, GroupPort{Text: "▸ " + string(e.kind) + " " + e.label(),
			Title: fmt.Sprintf("%s from %s: %s", e.kind, from, strings.Join(slices.Sorted(maps.Keys(e.labels)), ", "))})
	}
	for _, f := range g.fans {
		box.Fans = append(box.Fans, GroupPort{Text: f.text(), Title: f.text()})
	}
	if len(box.Ports) > maxGroupPorts {
		extra := len(box.Ports) - maxGroupPorts + 1
		box.Ports = append(box.Ports[:maxGroupPorts-1], GroupPort{Text: fmt.Sprintf("+%d more ports", extra)})
	}
	for _, t := range slices.Sorted(maps.Keys(g.tasks)) {
		box.Tasks = append(box.Tasks, GroupTask{Name: t, Title: "task " + t})
	}
	for _, p := range proxies {
		box.Tasks = append(box.Tasks, GroupTask{Name: p.name, Title: p.Title, Proxy: true})
	}
	if g.hidden > 0 {
		box.More = "+" + count(g.hidden) + " not drawn"
		if compact {
			box.More = plural(g.hidden, "connection")
		}
		box.Problem = g.hiddenProblem
	}
	var parts []string
	for _, p := range box.Ports {
		parts = append(parts, p.Text)
	}
	for _, p := range proxies {
		parts = append(parts, p.Text)
	}
	box.Line = g.cardLine()
	tip := []string{fmt.Sprintf("%s ×%s in namespace %s", title, count(g.allocs), g.key.ns), sub}
	for _, p := range slices.Concat(box.Entries, box.Fans) {
		tip = append(tip, p.Text)
	}
	tip = append(tip, parts...)
	if len(g.tasks) > 0 {
		tip = append(tip, "tasks: "+strings.Join(slices.Sorted(maps.Keys(g.tasks)), ", "))
	}
	if g.hidden > 0 {
		tip = append(tip, plural(g.hidden, "connection")+" with groups not drawn here")
	}
	box.Tooltip = strings.Join(tip, "\n")
	if !compact && len(box.Tasks) > maxGroupTasks {
		extra := len(box.Tasks) - maxGroupTasks + 1
		box.Tasks = append(box.Tasks[:maxGroupTasks-1], GroupTask{Name: fmt.Sprintf("+%d", extra), Title: box.Tooltip})
	}
	if compact {
		box.W, box.H = cardW, cardH
		// A card has room for one of its fans, where a box lists them.
		if len(g.fans) > 0 {
			box.More = g.fans[0].short()
		}
		return box
	}
	box.W, box.H = groupSize(box)
	return box
}

// groupSize is a full group box's size, from its lines.
func groupSize(g GroupBox) (w, h float64) {
	w = textWidth(clip(g.Title)+" ×"+count(g.Count), 11) + 16
	w = max(w, textWidth(g.Sub, 10)+16)
	for _, p := range slices.Concat(g.Entries, g.Ports, g.Fans) {
		w = max(w, textWidth(clip(p.Text), 10)+20)
	}
	w = math.Min(math.Max(w, groupMinW), groupMaxW)
	h = groupHead + groupLine*float64(len(g.Entries)+len(g.Ports)+len(g.Fans)) + groupPad
	if len(g.Tasks) > 0 || g.More != "" {
		h += groupTasksH
	}
	if moreOwnRow(g, w) {
		h += groupLine
	}
	return round(w), round(h)
}

// chipWidth is a task chip's width.
func chipWidth(name string) float64 { return round(textWidth(clip(name), 9.5) + 10) }

// moreOwnRow reports whether what is not drawn needs a row of its own,
// the chips leaving no room for it at the end of theirs.
func moreOwnRow(g GroupBox, w float64) bool {
	if g.More == "" || len(g.Tasks) == 0 {
		return false
	}
	row := 8.0
	for _, t := range g.Tasks {
		row += chipWidth(t.Name) + 4
	}
	return row+textWidth(g.More, 9.5)+8 > w
}

// arrange computes the positions of a placed group box's lines.
func (g *GroupBox) arrange() {
	y := g.Y + groupHead + groupLine/2
	for _, lines := range [][]GroupPort{g.Entries, g.Ports, g.Fans} {
		for i := range lines {
			lines[i].Y = round(y)
			y += groupLine
		}
	}
	y += 4 - groupLine/2
	x := g.X + 8
	for i := range g.Tasks {
		w := chipWidth(g.Tasks[i].Name)
		if x+w > g.X+g.W-6 {
			w = math.Max(0, g.X+g.W-6-x)
		}
		g.Tasks[i].Rect = Rect{X: round(x), Y: round(y), W: w, H: 16}
		x += w + 4
	}
	g.MoreY = round(g.Y + g.H - 10.5)
}
