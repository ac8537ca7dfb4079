//go:build integration

package checktest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/internal/devcluster"
)

// Paths of the job files, relative to this package.
const (
	examplesDir = "../../examples"
	checkDir    = "../../examples/check"
	brokenDir   = "../../examples/broken"
)

// checkNamespace is the Nomad namespace namespace-template.nomad.hcl runs in.
const checkNamespace = "check"

var (
	cluster *devcluster.Cluster
	// netvizBin is the netviz command built once for the package.
	netvizBin string
)

// shared is this package's dev cluster: every example deployed, the
// scenario-4 intention written, plus what the check examples rely on
// existing (namespace "check", the intention that denies "intruder", the
// broken jobs' intentions), and netviz built.
var shared = &devcluster.Shared{
	Examples: examplesDir,
	Setup: func(ctx context.Context, c *devcluster.Cluster, cleanup func(func() error)) error {
		cluster = c
		if _, err := c.CLI(ctx, "nomad", "namespace", "apply", "-description", "netviz check tests", checkNamespace); err != nil {
			return err
		}
		for _, f := range []string{
			filepath.Join(checkDir, "denied-upstream-intentions.hcl"),
			filepath.Join(brokenDir, "intention-deny-intentions.hcl"),
			filepath.Join(brokenDir, "mesh-bypass-intentions.hcl"),
		} {
			if _, err := c.CLI(ctx, "consul", "config", "write", f); err != nil {
				return err
			}
		}
		dir, err := os.MkdirTemp("", "netviz-check-bin")
		if err != nil {
			return err
		}
		cleanup(func() error { return os.RemoveAll(dir) })
		netvizBin, err = BuildNetviz(ctx, "../..", dir)
		return err
	},
}

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }

// result is one run of `netviz check`.
type result struct {
	code   int
	stdout string
	stderr string
	report check.Report
}

// runCheck runs `netviz check [args] FILE` against the cluster twice: as
// text (logged) and with --json (decoded). Both must exit alike.
func runCheck(t *testing.T, file string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	vars := []string{}
	for k, v := range cluster.JobVars() {
		vars = append(vars, "--var", k+"="+v)
	}
	exec1 := func(extra ...string) (int, string, string) {
		all := append(append(append([]string{"check", "--log-level", "error"}, args...), extra...), file)
		env := append(os.Environ(), cluster.Env()...)
		out, err := RunNetviz(ctx, netvizBin, append(env, "NOMAD_TOKEN=", "CONSUL_HTTP_TOKEN=", "NOMAD_NAMESPACE="), all...)
		if err != nil {
			t.Fatal(err)
		}
		return out.Code, out.Stdout, out.Stderr
	}
	code, text, stderr := exec1(vars...)
	t.Logf("netviz check %s: exit %d\n%s%s", filepath.Base(file), code, text, stderr)
	r := result{code: code, stdout: text, stderr: stderr}
	if code == 2 {
		return r
	}
	jcode, js, jerr := exec1(append(vars, "--json")...)
	if jcode != code {
		t.Fatalf("--json exit %d, text exit %d\n%s", jcode, code, jerr)
	}
	if err := json.Unmarshal([]byte(js), &r.report); err != nil {
		t.Fatalf("--json output: %v\n%s", err, js)
	}
	return r
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
