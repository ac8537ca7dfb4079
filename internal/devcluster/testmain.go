package devcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// defaultSetupTimeout bounds Start, the examples and Setup when
// Shared.Timeout is zero; the cluster alone normally needs well under a
// minute, deploying every example a few more.
const defaultSetupTimeout = 6 * time.Minute

// Shared is the one dev cluster an integration test package shares: its
// TestMain hands the tests to Run, and tests reach the cluster with Cluster
// (or through a package variable Setup fills in).
//
//	var shared = &devcluster.Shared{Examples: "../../examples"}
//
//	func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }
//
// Run starts the cluster before the tests (with Lazy, on the first Cluster
// call), deploys the examples, runs Setup, then the tests. When anything
// failed it prints the agents' logs; then it runs Setup's cleanups in
// reverse order and closes the cluster. A cluster that cannot start fails
// the package (with Lazy, every test that asks for it): it never skips,
// since under `make test` a missing cluster is a failure.
//
// This file does not import testing: the demo binary links this package.
type Shared struct {
	// Options are passed to Start.
	Options Options
	// Examples, if set, is an examples folder deployed with DeployExamples
	// once the cluster is up.
	Examples string
	// Setup, if set, runs after the examples: deploy more jobs, start what
	// the tests share (a collector, a server, a browser). ctx ends when
	// setup does, so what must outlive it starts from its own context and
	// registers how to stop it with cleanup; cleanups run after the tests,
	// last registered first, before the cluster closes. They run even when
	// Setup fails.
	Setup func(ctx context.Context, c *Cluster, cleanup func(stop func() error)) error
	// Timeout bounds Start, the examples and Setup together; default 6m.
	Timeout time.Duration
	// Lazy defers the start to the first Cluster call, so a run of only the
	// package's cluster-free tests starts nothing.
	Lazy bool

	once  sync.Once
	c     *Cluster
	err   error
	stops []func() error
}

// M is what Run needs of a *testing.M.
type M interface{ Run() int }

// TB is what Cluster needs of a testing.TB.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Run sets up the shared cluster (unless Lazy), runs the tests and tears
// everything down. It returns the exit code for os.Exit: 1 when the
// cluster or Setup failed (the tests then do not run) or teardown failed,
// else m.Run's.
func (s *Shared) Run(m M) int {
	return s.run(m, os.Stderr)
}

func (s *Shared) run(m M, w io.Writer) (code int) {
	if !s.Lazy {
		if err := s.start(); err != nil {
			fmt.Fprintf(w, "shared dev cluster: %v\n", err)
			code = 1
		}
	}
	if code == 0 {
		code = m.Run()
	}
	if s.c != nil && code != 0 {
		fmt.Fprintln(w, s.c.Logs())
	}
	for i := len(s.stops) - 1; i >= 0; i-- {
		if err := s.stops[i](); err != nil {
			fmt.Fprintf(w, "shared dev cluster teardown: %v\n", err)
			code = 1
		}
	}
	if s.c != nil {
		if err := s.c.Close(); err != nil {
			fmt.Fprintf(w, "devcluster close: %v\n", err)
			code = 1
		}
	}
	return code
}

// Cluster returns the shared cluster, starting it first with Lazy. When it
// could not be set up, t fails.
func (s *Shared) Cluster(t TB) *Cluster {
	t.Helper()
	if err := s.start(); err != nil {
		t.Fatalf("shared dev cluster: %v", err)
	}
	return s.c
}

// start sets the cluster up once and returns what went wrong, the same
// error on every call.
func (s *Shared) start() error {
	s.once.Do(func() {
		timeout := s.Timeout
		if timeout <= 0 {
			timeout = defaultSetupTimeout
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		s.err = s.setup(ctx)
		if s.err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			s.err = fmt.Errorf("%w (setup took longer than %s)", s.err, timeout)
		}
	})
	return s.err
}

func (s *Shared) setup(ctx context.Context) error {
	c, err := Start(ctx, s.Options)
	if err != nil {
		return err
	}
	s.c = c
	if s.Examples != "" {
		if err := c.DeployExamples(ctx, s.Examples); err != nil {
			return fmt.Errorf("examples: %w", err)
		}
	}
	if s.Setup != nil {
		return s.Setup(ctx, c, func(stop func() error) { s.stops = append(s.stops, stop) })
	}
	return nil
}
