package devcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// stopTimeout is how long an agent gets to leave gracefully after SIGINT
// before it is killed; Nomad's client stops its task runners in that time.
const stopTimeout = 20 * time.Second

// agent is one running nomad or consul process with its log file.
type agent struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error
}

// startAgent starts bin with args, its output going to logPath.
func startAgent(name, bin, logPath string, args ...string) (*agent, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	// A process group of its own: a Ctrl-C in the terminal reaches netviz's
	// demo, which then stops the agents in order, instead of killing them all
	// at once mid-shutdown.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = agentEnv(filepath.Dir(bin))
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	a := &agent{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		a.err = cmd.Wait()
		logf.Close()
		close(a.done)
	}()
	return a, nil
}

// agentEnv is the environment for agents: ours without NOMAD_*/CONSUL_*
// variables, which would otherwise redirect the agents' own clients, and
// with the tools dir first on PATH: Nomad's Connect sidecar hook runs
// `consul connect envoy -bootstrap` from PATH.
func agentEnv(toolsDir string) []string {
	var env []string
	path := toolsDir
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "NOMAD_") || strings.HasPrefix(kv, "CONSUL_") {
			continue
		}
		if p, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = toolsDir + ":" + p
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PATH="+path)
}

// exited reports whether the process has ended.
func (a *agent) exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// stop asks the agent to leave (SIGINT) and kills it after stopTimeout.
func (a *agent) stop() error {
	if a.exited() {
		return nil
	}
	_ = a.cmd.Process.Signal(os.Interrupt)
	select {
	case <-a.done:
		return nil
	case <-time.After(stopTimeout):
		_ = a.cmd.Process.Kill()
		<-a.done
		return fmt.Errorf("%s did not stop within %s; killed", a.name, stopTimeout)
	}
}

// waitFor polls check every interval until it returns nil, the agent dies,
// or ctx ends; the error says which and carries check's last complaint.
func waitFor(ctx context.Context, what string, agents []*agent, check func(context.Context) error) error {
	var last error
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if last = check(ctx); last == nil {
			return nil
		}
		var fatal *failedAlloc
		if errors.As(last, &fatal) {
			return fmt.Errorf("waiting for %s: %w", what, last)
		}
		for _, a := range agents {
			if a.exited() {
				return fmt.Errorf("waiting for %s: %s exited (%v); see %s", what, a.name, a.err, a.logPath)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)", what, ctx.Err(), last)
		case <-tick.C:
		}
	}
}

// tail returns the last max bytes of a log file, for test failure output.
func tail(path string, max int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	off := st.Size() - max
	if off < 0 {
		off = 0
	}
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, os.ErrClosed) && len(buf) == 0 {
		return err.Error()
	}
	return fmt.Sprintf("==> %s <==\n%s", filepath.Base(path), buf)
}
