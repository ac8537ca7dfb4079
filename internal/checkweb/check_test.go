//go:build integration

package checkweb

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
)

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// vars are the cluster's job variables as the form's key=value lines.
func vars() string {
	var lines []string
	for k, v := range cluster.JobVars() {
		lines = append(lines, k+"="+v)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// postCheck opens /check like a browser (for the CSRF cookie and token)
// and posts the job file, pasted, with the cluster's variables and the
// given plan token. It returns the status and the parsed page.
func postCheck(t *testing.T, hcl, token string) (int, *goquery.Document) {
	t.Helper()
	shared.Cluster(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/check")
	if err != nil {
		t.Fatal(err)
	}
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfValue.FindSubmatch(form)
	if m == nil {
		t.Fatalf("GET /check: %d, no CSRF token", resp.StatusCode)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"csrf": string(m[1]), "hcl": hcl, "vars": vars(), "token": token} {
		_ = w.WriteField(k, v)
	}
	w.Close()
	resp, err = c.Post(base+"/check", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	d, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, d
}

func jobFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(checkDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func text(d *goquery.Document, testID string) string {
	return strings.Join(strings.Fields(d.Find(`[data-testid="`+testID+`"]`).Text()), " ")
}

// holderAlloc is the running allocation holding static port 26379.
func holderAlloc(t *testing.T) string {
	t.Helper()
	allocs, _, err := cluster.Nomad().Jobs().Allocations("redis-exposed", false, &nomadapi.QueryOptions{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range allocs {
		if a.TaskGroup == "static" && a.ClientStatus == "running" {
			return a.ID
		}
	}
	t.Fatal("no running allocation of redis-exposed/static")
	return ""
}

// TestPortCollision: without a token the page is netviz's estimate,
// labelled, and names the allocation, job and task holding the port; with
// one (the cluster has no ACLs, so any well-formed token plans) it shows the
// scheduler's failed placement. The diagram draws the new version.
func TestPortCollision(t *testing.T) {
	hcl := jobFile(t, "port-collision.nomad.hcl")
	code, d := postCheck(t, hcl, "")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, text(d, "check-error"))
	}
	if !strings.Contains(text(d, "check-estimate"), "Estimate") {
		t.Errorf("estimate not labelled: %q", text(d, "check-estimate"))
	}
	holder := holderAlloc(t)
	h := d.Find(`[data-testid="check-holder"]`)
	if h.Length() != 1 || !strings.Contains(h.Text(), "of redis-exposed/static, task redis") || h.Find("a").AttrOr("href", "") != "/allocations/"+holder {
		t.Errorf("holder %q (link %q), want allocation %s", h.Text(), h.Find("a").AttrOr("href", ""), holder)
	}
	if d.Find(`[data-testid="check-port"][data-port="26379"]`).Length() != 1 {
		t.Error("no port fit row for 26379")
	}
	if d.Find(`[data-testid="check-problems"] [data-code="`+check.CodePortTaken+`"]`).Length() == 0 {
		t.Errorf("no %s problem", check.CodePortTaken)
	}
	if d.Find(`[data-testid="check-diagram"] svg`).Length() != 1 {
		t.Errorf("no diagram: %q", text(d, "check-diagram-error"))
	}
	if d.Find(`[data-testid="check-hcl"]`).Text() != hcl {
		t.Error("the form does not hold the job again")
	}

	code, d = postCheck(t, hcl, "5f0c2a4e-1d2b-4c3d-8e9f-0a1b2c3d4e5f")
	if code != http.StatusOK || d.Find(`[data-testid="check-estimate"]`).Length() != 0 {
		t.Fatalf("with a token: status %d, estimate %q", code, text(d, "check-estimate"))
	}
	if !strings.Contains(text(d, "check-plan-failed"), "port collision") {
		t.Errorf("plan result %q, failed %q", text(d, "check-plan-result"), text(d, "check-plan-failed"))
	}
}

// TestNoChange: a version that changes nothing networked says so.
func TestNoChange(t *testing.T) {
	code, d := postCheck(t, jobFile(t, "no-change.nomad.hcl"), "")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, text(d, "check-error"))
	}
	if got := text(d, "check-diff-summary"); got != "No networking change" {
		t.Errorf("diff %q", got)
	}
	if got := text(d, "check-findings-count"); got != "0 added, 0 removed" {
		t.Errorf("findings %q", got)
	}
	if d.Find(`[data-testid="check-no-reach-change"]`).Length() != 1 {
		t.Error("reach changes shown")
	}
	if !strings.Contains(text(d, "check-job"), "replacing running version") {
		t.Errorf("job line %q", text(d, "check-job"))
	}
}

// TestToChange: only the port's `to` changes: one changed port in the
// diff, and that port highlighted on the new allocation's box.
func TestToChange(t *testing.T) {
	code, d := postCheck(t, jobFile(t, "to-change.nomad.hcl"), "")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, text(d, "check-error"))
	}
	ch := d.Find(`[data-testid="check-change"]`)
	if ch.Length() != 1 || ch.AttrOr("data-kind", "") != check.ChangePort || !strings.Contains(ch.Text(), "dynamic, to 6379 → dynamic, to 6380") {
		t.Errorf("changes %q", ch.Text())
	}
	if d.Find(`[data-testid="check-diagram"] a.ns.new`).Length() == 0 {
		t.Error("the new allocation is not highlighted")
	}
	if d.Find(`[data-testid="check-diagram"] a.pin.changed`).Length() == 0 {
		t.Error("the changed port is not highlighted")
	}
}

// TestDeniedUpstream: the new upstream is a predicted finding and a reach
// change to blocked.
func TestDeniedUpstream(t *testing.T) {
	code, d := postCheck(t, jobFile(t, "denied-upstream.nomad.hcl"), "")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, text(d, "check-error"))
	}
	if d.Find(`[data-testid="check-findings-added"] [data-code="`+model.CodeIntentionDeniesUpstream+`"]`).Length() == 0 {
		t.Errorf("added findings %q", text(d, "check-findings-added"))
	}
	blocked := false
	d.Find(`[data-testid="check-reach-change"]`).Each(func(_ int, s *goquery.Selection) {
		blocked = blocked || strings.Contains(s.Text(), "intruder") && s.AttrOr("data-after", "") == "blocked"
	})
	if !blocked {
		t.Errorf("reach changes %q", text(d, "check-reach-list"))
	}
}

// TestNamespaceTemplate: a template query across namespaces is predicted.
func TestNamespaceTemplate(t *testing.T) {
	code, d := postCheck(t, jobFile(t, "namespace-template.nomad.hcl"), "")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, text(d, "check-error"))
	}
	if d.Find(`[data-testid="check-findings-added"] [data-code="`+model.CodeMissingServiceRef+`"]`).Length() == 0 {
		t.Errorf("added findings %q", text(d, "check-findings-added"))
	}
	if !strings.Contains(text(d, "check-job"), "check/check-namespace") {
		t.Errorf("job line %q", text(d, "check-job"))
	}
}

// TestParseError: Nomad's own message and line, escaped, with 422.
func TestParseError(t *testing.T) {
	code, d := postCheck(t, "job \"x\" {\n  group \"g\" {\n    bogus = \"</textarea><script>alert(1)</script>\"\n  }\n}\n", "")
	msg := text(d, "check-parse-error")
	if code != http.StatusUnprocessableEntity || !strings.Contains(msg, "job.nomad.hcl:3,") || !strings.Contains(msg, "Unsupported argument") {
		t.Errorf("status %d, message %q", code, msg)
	}
	html, _ := d.Html()
	if strings.Contains(html, "<script>alert") {
		t.Error("the job text became markup")
	}
}

// TestAPI: the JSON twin answers the report netviz check --json writes,
// and 422 with Nomad's message for a file it cannot parse.
func TestAPI(t *testing.T) {
	shared.Cluster(t)
	var vs []string
	for k, v := range cluster.JobVars() {
		vs = append(vs, k+"="+v)
	}
	post := func(hcl string) (int, []byte) {
		body, _ := json.Marshal(map[string]any{"hcl": hcl, "name": "port-collision.nomad.hcl", "vars": vs})
		resp, err := http.Post(base+"/api/v1/check", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, b := post(jobFile(t, "port-collision.nomad.hcl"))
	var rep check.Report
	if code != http.StatusOK || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("%d %s", code, b)
	}
	if !rep.Estimate || rep.Plan.Error == "" || len(rep.PortFit) != 1 || len(rep.PortFit[0].Taken) != 1 || rep.PortFit[0].Taken[0].AllocID != holderAlloc(t) {
		t.Errorf("report %+v", rep)
	}
	code, b = post("job \"x\" {\n  bogus = 1\n}\n")
	var e struct {
		ParseError string `json:"parse_error"`
	}
	if code != http.StatusUnprocessableEntity || json.Unmarshal(b, &e) != nil || !strings.Contains(e.ParseError, "port-collision.nomad.hcl:2,") {
		t.Errorf("parse error: %d %s", code, b)
	}
}

// TestNoFileSystem: a posted job cannot make the server's Nomad read its
// disk: Nomad's API parser has no file functions, so file() is an error.
func TestNoFileSystem(t *testing.T) {
	code, d := postCheck(t, "job \"fs\" {\n  meta {\n    x = file(\"/etc/hostname\")\n  }\n  group \"g\" {\n    task \"t\" {\n      driver = \"raw_exec\"\n      config { command = \"true\" }\n    }\n  }\n}\n", "")
	msg := text(d, "check-parse-error")
	if code != http.StatusUnprocessableEntity || !strings.Contains(msg, "job.nomad.hcl:3,") || !strings.Contains(msg, "filesystem function disabled") {
		t.Errorf("status %d, message %q", code, msg)
	}
	host, _ := os.ReadFile("/etc/hostname")
	if h := strings.TrimSpace(string(host)); h != "" && strings.Contains(d.Text(), h) {
		t.Error("the page shows the server's /etc/hostname")
	}
}
