package views_test

import (
	"context"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/diagram"
)

// fakeReport is a hand-made check report (no cluster, no Nomad) with the
// hostile payload in every name and text a job file can set.
func fakeReport() check.Report {
	h := fixture.HostileText
	return check.Report{
		Schema: check.SchemaVersion, Version: 7,
		Job:        check.JobRef{Namespace: "default", ID: "job " + h, Type: "service", Running: true, RunningVersion: 3},
		Plan:       check.Plan{Forbidden: true, Error: "403 " + h},
		Estimate:   true,
		Placements: []check.Placement{{Group: "group " + h, Count: 2, Nodes: []string{"client-a"}, Unplaced: 1}},
		PortFit: []check.PortFit{{Group: "group " + h, Label: "https " + h, Port: 443, Free: []string{"client-b"},
			Taken: []check.PortHolder{{Node: "client-a", AllocID: fixture.AllocIngress, Namespace: "default", Job: "ingress", Group: "gw", Task: "task " + h, Label: "https"}}}},
		HostNetworks: []check.HostNetworkFit{{Group: "group " + h, HostNetwork: "net " + h, Nodes: []string{"client-b"}, Missing: []string{"client-a"}}},
		Headroom:     []check.Headroom{{Node: "client-a", Min: 20000, Max: 20009, Free: 7, After: 6, Needed: 1}},
		Diff: check.Diff{Summary: "3 networking change(s)", Changes: []check.Change{
			{Group: "group " + h, Kind: check.ChangePort, Op: check.OpChanged, Subject: "https " + h, Before: "static 443 to 8443", After: "static 443 to " + h},
			{Group: "group " + h, Kind: check.ChangeService, Op: check.OpAdded, Subject: "service " + h, After: "provider nomad"},
			{Group: "group " + h, Kind: check.ChangeRef, Op: check.OpRemoved, Subject: "task t: " + h, Before: `nomadService "` + h + `"`},
		}},
		Findings: check.FindingDiff{
			Added:   []model.Warning{{Code: "port-conflict", Severity: model.SeverityError, Message: "static port 443 " + h, Fix: "fix " + h, Subjects: []string{h}}},
			Removed: []model.Warning{{Code: "template-target-missing", Severity: model.SeverityWarning, Message: "gone " + h}},
		},
		Reach:    []check.ReachChange{{From: "web " + h, To: "api " + h, Before: "reachable", After: "blocked", Reason: "intention " + h}},
		Problems: []model.Warning{{Code: check.CodePortTaken, Severity: model.SeverityError, Message: "taken " + h}},
		Notes:    []string{"note " + h},
	}
}

// TestCheckPageSections renders the report page from a fake report and
// finds every section the CLI prints, with the port's holder linked, the
// estimate labelled and the form filled in again (never the token).
func TestCheckPageSections(t *testing.T) {
	snap := cluster(t)
	r := fakeReport()
	v := views.CheckView{Form: views.CheckForm{CSRF: "tok", HCL: `job "x" {} </textarea><script>alert(1)</script>`, Vars: "a=" + fixture.HostileText, MaxBytes: 1 << 20}, Report: &r,
		DiagramError: "no picture " + fixture.HostileText}
	html := renderPage(t, views.CheckPage(chrome(snap, ""), v))
	d := doc(t, html)
	for _, id := range []string{"check-job", "check-estimate", "check-placement", "check-port", "check-holder", "check-host-network", "check-headroom",
		"check-diff-summary", "check-change", "check-findings-added", "check-findings-removed", "check-problems", "check-reach-change", "check-notes", "check-diagram-error"} {
		if d.Find(`[data-testid="`+id+`"]`).Length() == 0 {
			t.Errorf("no %s", id)
		}
	}
	if href := d.Find(`[data-testid="check-holder"] a`).AttrOr("href", ""); href != "/allocations/"+fixture.AllocIngress {
		t.Errorf("holder links to %q", href)
	}
	if got := d.Find(`[data-testid="check-estimate"]`).Text(); !strings.Contains(got, "Estimate") || !strings.Contains(got, r.Plan.Unplanned()) {
		t.Errorf("estimate not labelled, or not in check.Plan.Unplanned's words (the CLI's): %q", got)
	}
	if got := d.Find(`[data-testid="check-hcl"]`).Text(); got != v.Form.HCL {
		t.Errorf("textarea holds %q", got)
	}
	if strings.Count(html, "</textarea>") != 2 {
		t.Error("the job text closed a textarea")
	}
	if d.Find(`input[name="csrf"]`).AttrOr("value", "") != "tok" {
		t.Error("no CSRF token in the form")
	}
	if d.Find(`input[name="token"]`).AttrOr("value", "") != "" {
		t.Error("token field filled in")
	}
	if d.Find(`nav a[aria-current="page"]`).Text() != "Check" {
		t.Error("navigation does not mark Check")
	}
	if d.Find("#live").AttrOr("ws-connect", "") != "" {
		t.Error("the check page went live")
	}
}

// TestCheckPageNoChange: a report without changes says so in each section.
func TestCheckPageNoChange(t *testing.T) {
	snap := cluster(t)
	r := check.Report{Job: check.JobRef{Namespace: "default", ID: "web"}, Plan: check.Plan{Ran: true, DiffType: "None",
		Updates: []check.GroupUpdate{{Group: "app", Ignore: 1}}}, Diff: check.Diff{Summary: "No networking change"}}
	d := doc(t, renderPage(t, views.CheckPage(chrome(snap, ""), views.CheckView{Report: &r})))
	if got := d.Find(`[data-testid="check-diff-summary"]`).Text(); got != "No networking change" {
		t.Errorf("diff %q", got)
	}
	if got := d.Find(`[data-testid="check-plan-result"]`).Text(); got != "Nomad's scheduler: None; app: ignore 1" {
		t.Errorf("plan %q", got)
	}
	for _, id := range []string{"check-no-reach-change", "check-no-static-ports"} {
		if d.Find(`[data-testid="`+id+`"]`).Length() != 1 {
			t.Errorf("no %s", id)
		}
	}
	if d.Find(`[data-testid="check-estimate"]`).Length() != 0 {
		t.Error("a plan that ran is labelled an estimate")
	}
}

// TestCheckParseErrorPage shows Nomad's message escaped, and no report.
func TestCheckParseErrorPage(t *testing.T) {
	snap := cluster(t)
	msg := "job.nomad.hcl:3,3-8: Unsupported argument; " + fixture.HostileText
	html := renderPage(t, views.CheckPage(chrome(snap, ""), views.CheckView{ParseError: msg}))
	d := doc(t, html)
	if got := d.Find(`[data-testid="check-parse-error"]`).Text(); got != msg {
		t.Errorf("parse error %q", got)
	}
	if strings.Contains(html, "<script>alert") || d.Find(`[data-testid="check-diff-summary"]`).Length() != 0 {
		t.Error("payload unescaped, or a report shown")
	}
}

// TestCheckDiagramMarks draws a real dry run (fixture cluster, a new
// version of "web" whose http port gains a static value) and finds the new
// allocation's box marked "new", its changed port "changed", and no link
// to the would-be allocation's missing page.
func TestCheckDiagramMarks(t *testing.T) {
	snap := cluster(t)
	web := *snap.Allocation(fixture.AllocWeb)
	web.ID, web.NodeID, web.NodeName = "", "", ""
	web.Ports = []model.Port{{Label: "http", Value: 8080, Static: true, To: 8080}, {Label: "connect-proxy-web"}}
	job := check.Job{Namespace: "default", ID: "web", Type: "service", Groups: []check.Group{{Name: "app", Count: 1, Alloc: &web}}}
	r, after := check.Predict(snap, job, check.Plan{})
	m := views.CheckMarks(snap, after, r, "#check-placements")
	if len(m.New) != 1 || !m.Ports["app/http"] {
		t.Fatalf("marks %+v (diff %+v)", m, r.Diff.Changes)
	}
	comp, err := diagram.Check(context.Background(), after, views.CheckFilter(r), m)
	if err != nil {
		t.Fatal(err)
	}
	d := doc(t, renderString(t, comp))
	if d.Find("a.ns.new").Length() != 1 {
		t.Error("no namespace box marked new")
	}
	if d.Find("a.pin.changed").Length() == 0 {
		t.Error("the changed port is not marked")
	}
	if href := d.Find("a.ns.new").AttrOr("href", ""); href != "#check-placements" {
		t.Errorf("new box links to %q", href)
	}
	if d.Find(`a[href="/allocations/`+fixture.AllocWeb+`"]`).Length() != 0 {
		t.Error("the replaced allocation is still drawn")
	}
}

// hostileCheck is a check page's view with the payload in the job text,
// the variables, every report field and the picture's failure.
func hostileCheck() views.CheckView {
	r := fakeReport()
	return views.CheckView{
		Form:   views.CheckForm{HCL: `job "` + fixture.HostileText + `" { group "</textarea>` + fixture.HostileText + `" {} }`, Vars: "k=" + fixture.HostileText},
		Report: &r, DiagramError: fixture.HostileText,
	}
}
