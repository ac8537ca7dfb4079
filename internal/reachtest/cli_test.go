//go:build integration

package reachtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// TestCLI builds netviz and runs `reach` and `lint` against the cluster,
// checking exit codes and output.
func TestCLI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "netviz")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../../cmd/netviz").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	run := func(args ...string) (int, []byte) {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), cluster.Env()...)
		cmd.Env = append(cmd.Env, "NOMAD_TOKEN=", "CONSUL_HTTP_TOKEN=", "NOMAD_NAMESPACE=", "NETVIZ_LOG_LEVEL=error")
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, stdout.Bytes()
		case errors.As(err, &exit):
			return exit.ExitCode(), stdout.Bytes()
		}
		t.Fatalf("netviz %v: %v", args, err)
		return 0, nil
	}
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"reach", "app", "redis"}, 0},
		{[]string{"reach", "nosy-app", "secret-db"}, 1},
		{[]string{"reach", "external", "web"}, 0},
		{[]string{"reach", "app", "no-such-thing"}, 2},
		{[]string{"lint", "--severity", "error"}, 1},
	}
	for _, tt := range tests {
		if code, out := run(tt.args...); code != tt.want {
			t.Errorf("netviz %v: exit %d, want %d\n%s", tt.args, code, tt.want, out)
		}
	}
	code, out := run("reach", "--json", "app", "redis")
	var res reach.Result
	if err := json.Unmarshal(out, &res); err != nil || code != 0 || res.Verdict != reach.VerdictReachable || len(res.Paths) == 0 {
		t.Errorf("reach --json: exit %d, %v, %+v", code, err, res)
	}
	code, out = run("lint", "--json")
	var warnings []model.Warning
	if err := json.Unmarshal(out, &warnings); err != nil || code != 1 {
		t.Fatalf("lint --json: exit %d, %v", code, err)
	}
	var codes []string
	for _, w := range warnings {
		codes = append(codes, w.Code)
	}
	if !slices.Contains(codes, model.CodeUpstreamDangling) || !slices.Contains(codes, model.CodeMeshBypass) {
		t.Errorf("lint --json codes %v", codes)
	}
}
