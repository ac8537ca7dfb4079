package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// fakeChecker is a unit-test fake of Nomad's answers: per token, the
// rights or the error a check returns.
type fakeChecker struct {
	mu      sync.Mutex
	answers map[string]error
	scopes  map[string]model.Scope
}

func (f *fakeChecker) Check(_ context.Context, nomad, _ string) (Rights, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.answers[nomad]; err != nil {
		return Rights{}, err
	}
	return Rights{Scope: f.scopes[nomad], Accessor: "acc-" + nomad}, nil
}

func (f *fakeChecker) set(token string, err error, sc model.Scope) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[token], f.scopes[token] = err, sc
}

func newFake() *fakeChecker {
	return &fakeChecker{answers: map[string]error{}, scopes: map[string]model.Scope{}}
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestSessionsBoundedAndExpiring(t *testing.T) {
	f := newFake()
	ss := NewSessions(f, time.Hour, 2, nil)
	now := time.Unix(1_700_000_000, 0)
	ss.now = func() time.Time { return now }
	ctx := context.Background()
	a, _ := ss.SignIn(ctx, "a", "")
	now = now.Add(time.Minute)
	b, _ := ss.SignIn(ctx, "b", "")
	c, err := ss.SignIn(ctx, "c", "")
	if err != nil {
		t.Fatal(err)
	}
	if ss.Len() != 2 || ss.Get(a.ID) != nil || ss.Get(b.ID) == nil || ss.Get(c.ID) == nil {
		t.Errorf("a full store should drop the session closest to its end (a): len %d", ss.Len())
	}
	if !closed(a.Changed()) {
		t.Error("the dropped session's watchers were not told")
	}
	now = now.Add(time.Hour)
	if ss.Get(b.ID) != nil {
		t.Error("an expired session is still served")
	}
	if a.ID == b.ID || len(a.ID) < 40 {
		t.Errorf("session IDs %q, %q: want distinct 256-bit IDs", a.ID, b.ID)
	}
}

func TestSessionsRevalidate(t *testing.T) {
	f := newFake()
	readA := model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "a", Read: true}}}
	f.set("tok", nil, readA)
	f.set("gone", nil, readA)
	f.set("flaky", nil, readA)
	ss := NewSessions(f, time.Hour, 0, nil)
	ctx := context.Background()
	tok, _ := ss.SignIn(ctx, "tok", "")
	gone, _ := ss.SignIn(ctx, "gone", "")
	flaky, _ := ss.SignIn(ctx, "flaky", "")
	tokCh, flakyCh := tok.Changed(), flaky.Changed()

	f.set("tok", nil, model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "b", Read: true}}})
	f.set("gone", ErrDenied, model.Scope{})
	f.set("flaky", errors.New("nomad: connection refused"), model.Scope{})
	ss.Revalidate(ctx)

	if ss.Get(gone.ID) != nil || !closed(gone.Changed()) {
		t.Error("a refused token's session lives on")
	}
	if ss.Get(tok.ID) == nil || !closed(tokCh) || tok.Scope().ReadsNamespace("a") || !tok.Scope().ReadsNamespace("b") {
		t.Error("changed rights were not applied and announced")
	}
	if closed(tok.Changed()) {
		t.Error("the new rights' channel is already closed")
	}
	if ss.Get(flaky.ID) == nil || closed(flakyCh) || !flaky.Scope().ReadsNamespace("a") {
		t.Error("a check that could not be answered changed the session")
	}
	ss.SignOut(tok.ID)
	if ss.Get(tok.ID) != nil || !closed(tok.Changed()) {
		t.Error("sign-out left the session")
	}
}

func TestSignInRefused(t *testing.T) {
	f := newFake()
	f.set("bad", ErrDenied, model.Scope{})
	ss := NewSessions(f, 0, 0, nil)
	if s, err := ss.SignIn(context.Background(), "bad", ""); !errors.Is(err, ErrDenied) || s != nil || ss.Len() != 0 {
		t.Errorf("refused token: %v, %v", s, err)
	}
	if ss.TTL() != DefaultTTL {
		t.Errorf("default TTL %s", ss.TTL())
	}
}
