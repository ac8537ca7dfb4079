package views

import (
	"fmt"
	"slices"
	"strings"

	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// NavCheck is the navigation entry of the job check page.
const NavCheck = "check"

// CheckForm is what the job check form holds: the job text and variables
// the viewer sent (shown again so they can edit and re-run), never the
// token.
type CheckForm struct {
	// CSRF is the form's anti-forgery token.
	CSRF string
	HCL  string
	// Vars are the HCL variables, one key=value a line.
	Vars string
	// MaxBytes is the largest job file accepted.
	MaxBytes int64
}

// CheckView is the job check page: the form, and after a post either an
// error (Nomad's own parse message, or why the check could not run) or the
// report with the dry run's diagram.
type CheckView struct {
	Form CheckForm
	// ParseError is Nomad's own message about the file (with its line).
	ParseError string
	// Error says why the check did not run.
	Error  string
	Report *check.Report
	// Diagram draws the new job into its nodes; DiagramError says why it
	// is missing.
	Diagram      templ.Component
	DiagramError string
}

// CheckPage assembles the job check page. It never goes live: the report
// is of one post, kept nowhere.
func CheckPage(c Chrome, v CheckView) Page {
	c.Nav = NavCheck
	c.View = ""
	p := Page{Chrome: c, Heading: "Check a job before you deploy", Controls: checkForm(v.Form)}
	switch {
	case v.ParseError != "":
		p.Fragments = []Fragment{{ID: "check-error", Body: checkParseError(v.ParseError)}}
	case v.Error != "":
		p.Fragments = []Fragment{{ID: "check-error", Body: checkError(v.Error)}}
	case v.Report != nil:
		p.Fragments = []Fragment{
			{ID: "check-summary", Body: checkSummary(*v.Report)},
			{ID: "check-plan", Body: checkPlan(*v.Report)},
			{ID: "check-placements", Body: checkPlacements(*v.Report)},
			{ID: "check-diagram", Body: checkDiagram(v.Diagram, v.DiagramError)},
			{ID: "check-port-fit", Body: checkPortFit(*v.Report)},
			{ID: "check-headroom", Body: checkHeadroom(v.Report.Headroom)},
			{ID: "check-diff", Body: checkDiff(v.Report.Diff)},
			{ID: "check-findings", Body: checkFindings(v.Report.Findings, v.Report.Problems)},
			{ID: "check-reach", Body: checkReach(v.Report.Reach)},
			{ID: "check-notes", Body: checkNotes(v.Report.Notes)},
		}
	}
	return p
}

// CheckMarks are the diagram marks of a report: the would-be allocations
// (those of the job in after but not in before) and what the networking
// diff adds or changes. newHref is where their boxes link instead of
// allocation pages that do not exist.
func CheckMarks(before, after *model.Snapshot, r check.Report, newHref string) diagram.Marks {
	m := diagram.Marks{New: map[string]bool{}, NewHref: newHref, Ports: map[string]bool{}, Tasks: map[string]bool{}, Services: map[string]bool{}}
	for _, a := range after.AllocationsOfJob(r.Job.Namespace, r.Job.ID) {
		if before.Allocation(a.ID) == nil {
			m.New[a.ID] = true
		}
	}
	for _, c := range r.Diff.Changes {
		if c.Op == check.OpRemoved {
			continue
		}
		// Subjects read "port LABEL", "task NAME", "service NAME ...".
		switch c.Kind {
		case check.ChangePort:
			m.Ports[c.Group+"/"+strings.TrimPrefix(c.Subject, "port ")] = true
		case check.ChangeTask:
			m.Tasks[c.Group+"/"+strings.TrimPrefix(c.Subject, "task ")] = true
		case check.ChangeService, check.ChangeSidecar, check.ChangeUpstream:
			// "service NAME[ (task T)][ connect| upstream U| tags]": the
			// proxy box of NAME and its public port show the change.
			if f := strings.Fields(strings.TrimPrefix(c.Subject, "service ")); len(f) > 0 {
				m.Services[c.Group+"/"+f[0]] = true
				m.Ports[c.Group+"/connect-proxy-"+f[0]] = true
			}
		}
	}
	return m
}

// CheckFilter narrows the diagram to the job checked.
func CheckFilter(r check.Report) viewmodel.Filter {
	return viewmodel.Filter{Namespace: r.Job.Namespace, Job: r.Job.ID}
}

// planText is the scheduler's answer in a line, or why there is none
// (check.Plan.Unplanned, the CLI's words too).
func planText(r check.Report) string {
	if r.Plan.Ran {
		return "Nomad's scheduler: " + r.Plan.Summary()
	}
	return r.Plan.Unplanned() + "."
}

// sortedCounts lists a map of counts by key, as "key: n node(s)".
func sortedCounts(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k, n := range m {
		out = append(out, fmt.Sprintf("%s on %d node(s)", k, n))
	}
	slices.Sort(out)
	return out
}

// holderLink is what holds a port, linked to its allocation.
func holderLink(h check.PortHolder) viewmodel.Link {
	if h.Reserved {
		return viewmodel.Link{Text: "reserved by the node"}
	}
	text := fmt.Sprintf("allocation %s of %s/%s", model.ShortID(h.AllocID), h.Job, h.Group)
	if h.Task != "" {
		text += ", task " + h.Task
	}
	return viewmodel.Link{Text: text, Href: viewmodel.AllocationHref(h.AllocID)}
}

// changeText is one line of the networking diff.
func changeText(c check.Change) string {
	switch c.Op {
	case check.OpAdded:
		return c.After
	case check.OpRemoved:
		return c.Before
	}
	return c.Before + " → " + c.After
}

// opSign is the diff's sign of an operation.
func opSign(op string) string {
	switch op {
	case check.OpAdded:
		return "+"
	case check.OpRemoved:
		return "−"
	}
	return "~"
}

// warningRowsOf shows findings of a dry run without links: their subjects
// may be allocations that do not exist.
func warningRowsOf(ws []model.Warning) []viewmodel.WarningRow {
	out := make([]viewmodel.WarningRow, 0, len(ws))
	for _, w := range ws {
		out = append(out, viewmodel.WarningRow{Warning: w})
	}
	return out
}

// kib is a size in KiB for the form's hint.
func kib(n int64) string { return fmt.Sprintf("%d KiB", n/1024) }
