// Package checktest runs `netviz check` on the jobs of examples/check
// against a real cluster with every example deployed, then deploys them to
// see the predictions come true (the tests, behind the integration tag).
// Its subpackage acl does the same on a cluster with ACLs. This file is
// what both share: building netviz and running it.
package checktest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
)

// BuildNetviz builds cmd/netviz into dir and returns the binary's path.
// root is the repository's root, relative to the caller's package.
func BuildNetviz(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "netviz")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, filepath.Join(root, "cmd", "netviz")).CombinedOutput(); err != nil {
		return "", fmt.Errorf("build netviz: %v\n%s", err, out)
	}
	return bin, nil
}

// Output is one run of the command.
type Output struct {
	Code           int
	Stdout, Stderr string
}

// RunNetviz runs bin with args and env (the whole environment) and returns
// its exit code and output; err only when it could not run at all.
func RunNetviz(ctx context.Context, bin string, env []string, args ...string) (Output, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := Output{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		out.Code = exit.ExitCode()
	default:
		return out, fmt.Errorf("netviz %v: %w", args, err)
	}
	return out, nil
}
