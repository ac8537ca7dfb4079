//go:build integration

package acl

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/internal/checktest"
	"github.com/netviz/netviz/internal/devcluster"
)

// The cluster: ACLs on, only 01-exposed-port.nomad.hcl running (its
// group "static" holds host port 26379; no Connect, which would need
// service identity tokens), and two tokens.
var (
	shared = &devcluster.Shared{Options: devcluster.Options{ACL: true}, Setup: setup}

	cluster *devcluster.Cluster
	bin     string
	// readToken reads namespace default and the nodes; noJobToken reads
	// only the nodes.
	readToken, noJobToken string
)

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }

func setup(ctx context.Context, c *devcluster.Cluster, cleanup func(func() error)) error {
	cluster = c
	if err := c.Deploy(ctx, nil, []string{"../../../examples/01-exposed-port.nomad.hcl"}); err != nil {
		return err
	}
	var err error
	if readToken, err = token(c, "check-read", "namespace \"default\" {\n  policy = \"read\"\n}\nnode {\n  policy = \"read\"\n}\n"); err != nil {
		return err
	}
	if noJobToken, err = token(c, "check-nodes", "node {\n  policy = \"read\"\n}\n"); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "netviz-check-acl")
	if err != nil {
		return err
	}
	cleanup(func() error { return os.RemoveAll(dir) })
	bin, err = checktest.BuildNetviz(ctx, "../../..", dir)
	return err
}

// token makes a policy and a client token holding only it.
func token(c *devcluster.Cluster, name, rules string) (string, error) {
	if _, err := c.Nomad().ACLPolicies().Upsert(&nomadapi.ACLPolicy{Name: name, Rules: rules}, nil); err != nil {
		return "", err
	}
	tok, _, err := c.Nomad().ACLTokens().Create(&nomadapi.ACLToken{Name: name, Type: "client", Policies: []string{name}}, nil)
	if err != nil {
		return "", err
	}
	return tok.SecretID, nil
}

// runCheck runs `netviz check --no-consul [--json]` with the token.
func runCheck(t *testing.T, tok string, asJSON bool) checktest.Output {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"check", "--no-consul", "--log-level", "error"}
	if asJSON {
		args = append(args, "--json")
	}
	env := append(os.Environ(), "NOMAD_ADDR="+cluster.NomadAddr, "NOMAD_TOKEN="+tok, "NOMAD_NAMESPACE=")
	out, err := checktest.RunNetviz(ctx, bin, env, append(args, filepath.Join("../../../examples/check", "port-collision.nomad.hcl"))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exit %d\n%s%s", out.Code, out.Stdout, out.Stderr)
	return out
}

// TestPlanForbiddenGivesEstimate: the token reads and parses but may not
// plan; the report is netviz's own estimate, says so, and still names the
// allocation holding the colliding port.
func TestPlanForbiddenGivesEstimate(t *testing.T) {
	shared.Cluster(t)
	text := runCheck(t, readToken, false)
	if text.Code != 1 {
		t.Errorf("exit %d, want 1", text.Code)
	}
	if !strings.Contains(text.Stdout, "ESTIMATE") {
		t.Errorf("text does not say it is an estimate")
	}
	out := runCheck(t, readToken, true)
	var r check.Report
	if err := json.Unmarshal([]byte(out.Stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Plan.Ran || !r.Plan.Forbidden || !r.Estimate {
		t.Errorf("plan %+v estimate %v, want forbidden and an estimate", r.Plan, r.Estimate)
	}
	if len(r.PortFit) != 1 || len(r.PortFit[0].Taken) != 1 || r.PortFit[0].Taken[0].Job != "redis-exposed" || r.PortFit[0].Taken[0].Task != "redis" {
		t.Errorf("port fit %+v", r.PortFit)
	}
}

// TestWithManagementTokenPlanRuns: the same file with a token that may
// plan gets Nomad's answer.
func TestWithManagementTokenPlanRuns(t *testing.T) {
	shared.Cluster(t)
	out := runCheck(t, cluster.NomadToken, true)
	var r check.Report
	if err := json.Unmarshal([]byte(out.Stdout), &r); err != nil {
		t.Fatal(err)
	}
	if out.Code != 1 || !r.Plan.Ran || r.Estimate || len(r.Plan.Failed) != 1 {
		t.Errorf("exit %d plan %+v", out.Code, r.Plan)
	}
}

// TestParseForbiddenExitsTwo: a token that may not parse jobs exits 2.
func TestParseForbiddenExitsTwo(t *testing.T) {
	shared.Cluster(t)
	out := runCheck(t, noJobToken, false)
	if out.Code != 2 {
		t.Errorf("exit %d, want 2", out.Code)
	}
	if !strings.Contains(out.Stderr, "forbidden") {
		t.Errorf("stderr does not say forbidden: %s", out.Stderr)
	}
}
