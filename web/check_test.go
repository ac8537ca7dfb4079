package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/web"
	"github.com/netviz/netviz/web/auth"
)

// fakeNomadCheck stands in for Nomad's parse and plan (pure unit tests;
// the real ones are in check_integration_test.go). It returns a job named
// with the hostile payload whose group wants static port 443, which the
// fixture's ingress holds on client-a, and records what it was asked.
type fakeNomadCheck struct {
	mu   sync.Mutex
	got  []web.CheckRequest
	fail error
}

func (f *fakeNomadCheck) check(_ context.Context, r web.CheckRequest) (check.Job, check.Plan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, r)
	if f.fail != nil {
		return check.Job{}, check.Plan{}, f.fail
	}
	h := fixture.HostileText
	g := &model.Allocation{Namespace: "default", JobID: "job " + h, JobType: "service", TaskGroup: "group " + h,
		ClientStatus: "pending", DesiredStatus: "run", Network: model.Network{Mode: model.ModeBridge},
		Ports:    []model.Port{{Label: "https " + h, Value: 443, Static: true, To: 8443}},
		Tasks:    []model.Task{{Name: "task " + h, Driver: "docker", ConfigPorts: []string{"https " + h}}},
		Services: []model.ServiceSpec{{Name: "svc-" + h, Provider: model.ProviderNomad, PortLabel: "https " + h}}}
	plan := check.Plan{Error: "no Nomad token given for the plan"}
	if r.PlanToken != "" {
		plan = check.Plan{Ran: true, DiffType: "Added", Updates: []check.GroupUpdate{{Group: g.TaskGroup, Place: 1}}}
	}
	return check.Job{Namespace: "default", ID: g.JobID, Type: "service", Groups: []check.Group{{Name: g.TaskGroup, Count: 1, Alloc: g}}}, plan, nil
}

func (f *fakeNomadCheck) last() web.CheckRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[len(f.got)-1]
}

func checkServer(t *testing.T) (*fakeNomadCheck, *httptest.Server, *http.Client) {
	t.Helper()
	f := &fakeNomadCheck{}
	ts := httptest.NewServer(web.New(newStore(t), web.Options{Check: f.check}).Handler())
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	c := ts.Client()
	c.Jar = jar
	return f, ts, c
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfToken opens the form and returns its anti-forgery token.
func csrfToken(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	resp, err := c.Get(base + "/check")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfValue.FindSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("GET /check: %d, token %q", resp.StatusCode, m)
	}
	return string(m[1])
}

// postForm posts a multipart form to /check, with file as the upload when set.
func postForm(t *testing.T, c *http.Client, base string, fields map[string]string, file []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if file != nil {
		fw, _ := w.CreateFormFile("file", "up.nomad.hcl")
		_, _ = fw.Write(file)
	}
	w.Close()
	resp, err := c.Post(base+"/check", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if cc := resp.Header.Get("Cache-Control"); resp.StatusCode < 400 && cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	return resp.StatusCode, string(body)
}

// TestCheckForm: the form posts only with its CSRF token; a pasted job
// gets the report (estimate without a token, the plan with one, which
// only the viewer's token drives), a hostile job stays text, and
// variables and uploads reach the parser.
func TestCheckForm(t *testing.T) {
	f, ts, c := checkServer(t)
	if code, _ := postForm(t, c, ts.URL, map[string]string{"hcl": "job {}"}, nil); code != http.StatusBadRequest && code != http.StatusForbidden {
		t.Errorf("post without CSRF token: %d", code)
	}
	tok := csrfToken(t, c, ts.URL)
	hcl := `job "x" { meta { a = "</textarea><script>alert(1)</script>" } }`
	code, body := postForm(t, c, ts.URL, map[string]string{"csrf": tok, "hcl": hcl, "vars": "a=1\n\n b = two \n"}, nil)
	if code != 200 {
		t.Fatalf("post: %d %s", code, body)
	}
	got := f.last()
	if got.HCL != hcl || strings.Join(got.Vars, ";") != "a=1;b = two" || got.PlanToken != "" {
		t.Errorf("parser asked %+v", got)
	}
	for _, want := range []string{`data-testid="check-estimate"`, `data-testid="check-holder"`, `href="/allocations/` + fixture.AllocIngress + `"`,
		`data-testid="check-diff-summary"`, `data-testid="check-findings-count"`, `data-testid="check-diagram"`, `class="ns new"`} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if strings.Contains(body, "<script>alert") || strings.Count(body, "</textarea>") != 2 {
		t.Error("hostile job or names rendered as markup")
	}

	code, body = postForm(t, c, ts.URL, map[string]string{"csrf": tok, "hcl": "ignored", "token": "viewer-secret"}, []byte(`job "up" {}`))
	if code != 200 || !strings.Contains(body, `data-testid="check-plan-result"`) || strings.Contains(body, "check-estimate") {
		t.Errorf("post with token: %d", code)
	}
	if got := f.last(); got.HCL != `job "up" {}` || got.Name != "up.nomad.hcl" || got.PlanToken != "viewer-secret" {
		t.Errorf("upload: parser asked %+v", got)
	}
	if strings.Contains(body, "viewer-secret") {
		t.Error("the token came back in the page")
	}

	if code, _ := postForm(t, c, ts.URL, map[string]string{"csrf": tok}, bytes.Repeat([]byte("#"), web.MaxCheckFile+1)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized upload: %d", code)
	}
	if code, _ := postForm(t, c, ts.URL, map[string]string{"csrf": tok, "hcl": "  "}, nil); code != http.StatusBadRequest {
		t.Errorf("empty job: %d", code)
	}
}

// TestCheckParseError: Nomad's message comes back escaped, with 422.
func TestCheckParseError(t *testing.T) {
	f, ts, c := checkServer(t)
	f.fail = &web.CheckParseError{Message: "job.nomad.hcl:2,3-9: Unsupported argument; " + fixture.HostileText}
	code, body := postForm(t, c, ts.URL, map[string]string{"csrf": csrfToken(t, c, ts.URL), "hcl": "job {"}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "job.nomad.hcl:2,3-9: Unsupported argument; &lt;script&gt;") {
		t.Errorf("%d %s", code, body)
	}
	if strings.Contains(body, "<script>alert") {
		t.Error("parse message rendered as markup")
	}
	f.fail = web.ErrCheckForbidden
	if code, body := postForm(t, c, ts.URL, map[string]string{"csrf": csrfToken(t, c, ts.URL), "hcl": "job {"}, nil); code != http.StatusForbidden || !strings.Contains(body, "parse-job") {
		t.Errorf("forbidden parse: %d", code)
	}
}

func postJSON(t *testing.T, c *http.Client, base, ctype, token, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/check", strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set("X-Nomad-Token", token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestCheckAPI: JSON in, the report out; the token from X-Nomad-Token;
// parse errors 422 with Nomad's message; only JSON accepted.
func TestCheckAPI(t *testing.T) {
	f, ts, c := checkServer(t)
	code, b := postJSON(t, c, ts.URL, "application/json", "tok", `{"hcl":"job \"x\" {}","vars":["a=1"],"name":"x.hcl"}`)
	var rep check.Report
	if code != 200 || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("%d %s", code, b)
	}
	if rep.Schema != check.SchemaVersion || !rep.Plan.Ran || rep.Estimate || len(rep.PortFit) != 1 || len(rep.PortFit[0].Taken) == 0 {
		t.Errorf("report %+v", rep)
	}
	if got := f.last(); got.PlanToken != "tok" || got.Name != "x.hcl" || len(got.Vars) != 1 {
		t.Errorf("parser asked %+v", got)
	}
	for _, tc := range []struct {
		ctype, body string
		want        int
	}{
		{"application/x-www-form-urlencoded", "hcl=" + url.QueryEscape("job {}"), http.StatusUnsupportedMediaType},
		{"application/json", `{"hcl":""}`, http.StatusBadRequest},
		{"application/json", `{"hcl":"x","other":1}`, http.StatusBadRequest},
		{"application/json", `{"hcl":"` + strings.Repeat("#", web.MaxCheckFile+100) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		if code, b := postJSON(t, c, ts.URL, tc.ctype, "", tc.body); code != tc.want {
			t.Errorf("%s %.40s: %d %s, want %d", tc.ctype, tc.body, code, b, tc.want)
		}
	}
	f.fail = &web.CheckParseError{Message: "x.hcl:1,1-2: bad"}
	code, b = postJSON(t, c, ts.URL, "application/json", "", `{"hcl":"job {"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"parse_error":"x.hcl:1,1-2: bad"`) {
		t.Errorf("parse error: %d %s", code, b)
	}
}

// TestCheckOff: without a CheckFunc the page says so and nothing posts.
func TestCheckOff(t *testing.T) {
	_, base := handlerServer(t)
	resp, err := http.Get(base + "/check")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "The job check is off") {
		t.Errorf("GET /check without a checker: %d", resp.StatusCode)
	}
	resp, err = http.Post(base+"/api/v1/check", "application/json", strings.NewReader(`{"hcl":"job {}"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /api/v1/check without a checker: %d", resp.StatusCode)
	}
}

// TestCheckNeedsSession: with viewer login on, the check is a page like
// the others: no session, no form, no parse (the server's Nomad access is
// not spent for strangers).
func TestCheckNeedsSession(t *testing.T) {
	f := &fakeNomadCheck{}
	cfg := nomadapi.DefaultConfig()
	cfg.Address = "http://127.0.0.1:1"
	ts := httptest.NewServer(web.New(newStore(t), web.Options{Check: f.check, Login: &auth.Checker{Nomad: cfg}}).Handler())
	t.Cleanup(ts.Close)
	hc := noRedirects(t)
	resp, err := hc.Get(ts.URL + "/check")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /check: %d", resp.StatusCode)
	}
	for _, ctype := range []string{"application/json", "application/x-www-form-urlencoded"} {
		path := "/api/v1/check"
		if ctype != "application/json" {
			path = "/check"
		}
		resp, err := hc.Post(ts.URL+path, ctype, strings.NewReader(`{"hcl":"job {}"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s: %d", path, resp.StatusCode)
		}
	}
	if len(f.got) != 0 {
		t.Errorf("Nomad asked %d time(s) without a session", len(f.got))
	}
}
