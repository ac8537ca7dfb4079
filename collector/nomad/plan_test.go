package nomad

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
)

// A fake Nomad answering the parse and plan endpoints with fixed statuses
// and bodies, as Nomad 1.6.2 words them (measured on the dev cluster).
func fakeCheckNomad(t *testing.T, status int, body string) *nomadapi.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	cfg := nomadapi.DefaultConfig()
	cfg.Address, cfg.SecretID = srv.URL, ""
	c, err := nomadapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseJobErrors(t *testing.T) {
	ctx := context.Background()
	c := fakeCheckNomad(t, http.StatusBadRequest, `Failed to parse job: input.hcl:3,3-8: Unsupported argument; An argument named "bogus" is not expected here.`)
	_, err := ParseJob(ctx, c, "app.nomad.hcl", "job {}", "", "")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Message != `Failed to parse job: app.nomad.hcl:3,3-8: Unsupported argument; An argument named "bogus" is not expected here.` {
		t.Errorf("400: %v", err)
	}
	c = fakeCheckNomad(t, http.StatusForbidden, "Permission denied")
	if _, err := ParseJob(ctx, c, "app.nomad.hcl", "job {}", "", ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("403: %v", err)
	}
}

func TestPlanJobForbiddenIsAnEstimate(t *testing.T) {
	id, ns := "web", "default"
	job := &nomadapi.Job{ID: &id, Namespace: &ns}
	p := PlanJob(context.Background(), fakeCheckNomad(t, http.StatusForbidden, "Permission denied"), job)
	if p.Ran || !p.Forbidden {
		t.Errorf("403: %+v", p)
	}
	p = PlanJob(context.Background(), fakeCheckNomad(t, http.StatusInternalServerError, "boom"), job)
	if p.Ran || p.Forbidden || p.Error == "" {
		t.Errorf("500: %+v", p)
	}
}

// TestCheckJobAddsSidecars: a parsed job becomes one unplaced allocation
// per group through convertAlloc, with the sidecar port and task Nomad
// adds at registration.
func TestCheckJobAddsSidecars(t *testing.T) {
	name, group, count, driver := "mesh", "app", 2, "raw_exec"
	job := &nomadapi.Job{ID: &name, TaskGroups: []*nomadapi.TaskGroup{{
		Name: &group, Count: &count,
		Networks: []*nomadapi.NetworkResource{{Mode: "bridge",
			ReservedPorts: []nomadapi.Port{{Label: "admin", Value: 9000}},
			DynamicPorts:  []nomadapi.Port{{Label: "http", To: 8080}}}},
		Services: []*nomadapi.Service{{Name: "app", PortLabel: "8080", Connect: &nomadapi.ConsulConnect{
			SidecarService: &nomadapi.ConsulSidecarService{}, SidecarTask: &nomadapi.SidecarTask{Driver: driver}}}},
		Tasks: []*nomadapi.Task{{Name: "app", Driver: "raw_exec", Env: map[string]string{"X": "${NOMAD_ADDR_http}"}}},
	}}}
	job.Canonicalize()
	cj, err := CheckJob(job)
	if err != nil {
		t.Fatal(err)
	}
	if cj.ID != "mesh" || cj.Namespace != "default" || cj.Type != "service" || len(cj.Groups) != 1 || cj.Groups[0].Count != 2 {
		t.Fatalf("job %+v", cj)
	}
	a := cj.Groups[0].Alloc
	if a.Network.Mode != model.ModeBridge {
		t.Errorf("mode %q", a.Network.Mode)
	}
	want := map[string]model.Port{
		"admin":             {Label: "admin", Value: 9000, Static: true},
		"http":              {Label: "http", To: 8080},
		"connect-proxy-app": {Label: "connect-proxy-app"},
	}
	if len(a.Ports) != len(want) {
		t.Errorf("ports %+v", a.Ports)
	}
	for _, p := range a.Ports {
		if w := want[p.Label]; p.Value != w.Value || p.To != w.To || p.Static != w.Static || p.HostIP != "" {
			t.Errorf("port %+v, want %+v", p, w)
		}
	}
	if len(a.Tasks) != 2 || a.Tasks[1].Kind != "connect-proxy:app" || a.Tasks[1].Driver != driver || len(a.Tasks[0].Refs) != 1 {
		t.Errorf("tasks %+v", a.Tasks)
	}
	if len(a.Services) != 1 || a.Services[0].Connect == nil || a.Services[0].Connect.SidecarPortLabel != "connect-proxy-app" {
		t.Errorf("services %+v", a.Services)
	}
}
