package devcluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// noTools makes Start fail before it starts anything: as a normal user on
// the host check, as root on the missing binaries.
func noTools(t *testing.T) Options { return Options{ToolsDir: t.TempDir()} }

type countingM struct{ runs int }

func (m *countingM) Run() int { m.runs++; return 0 }

type fatalTB struct{ msg string }

func (*fatalTB) Helper() {}
func (tb *fatalTB) Fatalf(format string, args ...any) {
	tb.msg = fmt.Sprintf(format, args...)
}

// A cluster that cannot start fails the package and the tests do not run:
// they never skip.
func TestSharedFailsWhenClusterCannotStart(t *testing.T) {
	setupRan := false
	s := &Shared{Options: noTools(t), Setup: func(context.Context, *Cluster, func(func() error)) error {
		setupRan = true
		return nil
	}}
	var out strings.Builder
	m := &countingM{}
	if code := s.run(m, &out); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if m.runs != 0 || setupRan {
		t.Errorf("tests ran %d times, setup ran %v: want neither", m.runs, setupRan)
	}
	if !strings.Contains(out.String(), "shared dev cluster: devcluster:") {
		t.Errorf("no reason printed: %q", out.String())
	}
}

// With Lazy, nothing starts before the tests, and every test that asks for
// the cluster fails with the same reason.
func TestSharedLazyFailsEachCaller(t *testing.T) {
	s := &Shared{Options: noTools(t), Lazy: true}
	var msgs []string
	m := mFunc(func() int {
		for range 2 {
			tb := &fatalTB{}
			if c := s.Cluster(tb); c != nil || tb.msg == "" {
				t.Errorf("Cluster = %v, failure %q: want nil and a failure", c, tb.msg)
			}
			msgs = append(msgs, tb.msg)
		}
		return 1
	})
	var out strings.Builder
	if code := s.run(m, &out); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if len(msgs) != 2 || msgs[0] != msgs[1] {
		t.Errorf("failures %q: want the same one twice", msgs)
	}
}

// A lazy package whose tests never ask for the cluster starts nothing.
func TestSharedLazyUnused(t *testing.T) {
	s := &Shared{Options: noTools(t), Lazy: true}
	var out strings.Builder
	if code := s.run(&countingM{}, &out); code != 0 || out.Len() != 0 {
		t.Errorf("exit code %d, output %q: want 0 and nothing", code, out.String())
	}
}

type mFunc func() int

func (f mFunc) Run() int { return f() }
