//go:build integration

package agent_test

import (
	"context"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/checktest"
)

// TestAgentAsSystemJob runs deploy/netviz-agent.nomad.hcl as it ships,
// with the netviz binary built from this tree, the secret in a Nomad
// variable and the test's server as the target, and checks that traffic
// through the mesh reaches the model through it. Nomad is reached over
// HTTP: the dev cluster's task API socket path is longer than a unix
// socket allows.
func TestAgentAsSystemJob(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s := startServer(t, false)
	bin, err := checktest.BuildNetviz(ctx, "../..", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	nomad := cluster.Nomad()
	if _, _, err := nomad.Variables().Create(&nomadapi.Variable{Path: "nomad/jobs/netviz-agent",
		Items: nomadapi.VariableItems{"secret": secret}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.RunVars(ctx, "../../deploy/netviz-agent.nomad.hcl", map[string]string{
		"netviz_bin": bin, "nomad_addr": cluster.NomadAddr, "server": s.url, "interval": "1s",
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nomad.Jobs().Deregister("netviz-agent", true, nil) })
	if err := cluster.WaitHealthy(ctx, "default", "netviz-agent"); err != nil {
		t.Fatal(err)
	}
	echo, client := s.alloc(t, "echo"), s.alloc(t, "client")
	getFrom(t, client.ID, "http://127.0.0.1:19090/")
	took := s.waitFor(t, "mesh, reported by the system job", func(e model.ObservedEdge) bool {
		return e.Kind == model.ObservedMesh && e.From == client.ID && e.To == echo.ID
	})
	t.Logf("mesh edge through the system job's agent %s after the request", took.Round(10*time.Millisecond))
}
