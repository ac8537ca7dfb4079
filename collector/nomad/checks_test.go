package nomad

import (
	"context"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
)

// healthOf is the health of the Nomad-native instance id ("<missing>"
// when the model does not hold it).
func healthOf(snap *model.Snapshot, id string) string {
	for _, s := range snap.Services() {
		if s.Provider == model.ProviderNomad && s.ID == id {
			return s.Health
		}
	}
	return "<missing>"
}

// TestCheckedServicesUnknownUntilRead: an instance whose service declares
// checks is unknown until the poller reads them, never passing by default,
// whether it comes from a sync or a registration event; an instance without
// checks is passing.
func TestCheckedServicesUnknownUntilRead(t *testing.T) {
	f := newFakeNomad(t)
	seedCluster(f, 1)
	s, store := newFakeSource(t, f)
	if _, _, err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap := store.Snapshot()
	for id, want := range map[string]string{"s1": model.HealthUnknown, "s2": model.HealthUnknown, "s3": model.HealthPassing} {
		if got := healthOf(snap, id); got != want {
			t.Errorf("after a sync %s is %q, want %q", id, got, want)
		}
	}
	f.applyEvents(t, s, f.putService(fakeService("s4", "web-http", "a1", "n1", 21101)))
	if got := healthOf(store.Snapshot(), "s4"); got != model.HealthUnknown {
		t.Errorf("a registration event of a checked service gives %q, want unknown", got)
	}
}

// TestCheckRound: a failing checks read makes its services unknown (never
// passing) and shows in Status().Topics["checks"] until a round reads them
// all; a catch-up meanwhile keeps that message; a registration arriving
// between rounds starts with the health last read.
func TestCheckRound(t *testing.T) {
	f := newFakeNomad(t)
	seedCluster(f, 1)
	f.setChecks("a1", 0, map[string]string{"web-http": "success"})
	f.setChecks("a2", 500, nil)
	s, store := newFakeSource(t, f)
	ctx := context.Background()
	if _, _, err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	s.checkRound(ctx)
	snap := store.Snapshot()
	if h1, h2 := healthOf(snap, "s1"), healthOf(snap, "s2"); h1 != model.HealthPassing || h2 != model.HealthUnknown {
		t.Errorf("after a round with a2's read failing: s1 %q, s2 %q; want passing, unknown", h1, h2)
	}
	msg := s.Status().Topics[checksTopic]
	if !strings.Contains(msg, "1 of 2") || !strings.Contains(msg, "500") {
		t.Errorf("Topics[checks] = %q, want the failed read counted with its error", msg)
	}
	if got := snap.Status().Nomad.Topics[checksTopic]; got != msg {
		t.Errorf("the model's status says %q, want %q", got, msg)
	}
	if st := s.Status(); st.State != model.StateConnected {
		t.Errorf("failing check reads changed the state to %s", st.State)
	}

	// A catch-up re-reads the lists, not the checks: it keeps the message.
	if _, _, err := s.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.Status().Topics[checksTopic]; got != msg {
		t.Errorf("after a catch-up Topics[checks] = %q, want %q kept until a round reads every check", got, msg)
	}
	if h := healthOf(store.Snapshot(), "s2"); h != model.HealthUnknown {
		t.Errorf("after a catch-up s2 is %q, want unknown", h)
	}

	// The client answers again.
	f.setChecks("a2", 0, map[string]string{"web-http": "failure"})
	s.checkRound(ctx)
	snap = store.Snapshot()
	if h := healthOf(snap, "s2"); h != model.HealthCritical {
		t.Errorf("after a good round s2 is %q, want critical", h)
	}
	if topics := s.Status().Topics; topics[checksTopic] != "" || snap.Status().Nomad.Topics[checksTopic] != "" {
		t.Errorf("after a good round the status still reports checks: %v", topics)
	}

	f.applyEvents(t, s, f.putService(fakeService("s5", "web-http", "a2", "n2", 21102)))
	if h := healthOf(store.Snapshot(), "s5"); h != model.HealthCritical {
		t.Errorf("a registration between rounds gives %q, want the health last read (critical)", h)
	}
}

// TestServiceDeregisteredDuringCheckRound: an instance deregistered while
// a round is reading its checks is not brought back by the round.
func TestServiceDeregisteredDuringCheckRound(t *testing.T) {
	noLeaks(t)
	f := newFakeNomad(t)
	seedCluster(f, 1)
	f.setChecks("a1", 0, map[string]string{"web-http": "failure"})
	f.setChecks("a2", 0, map[string]string{"web-http": "success"})
	s, store := newFakeSource(t, f)
	ctx := context.Background()
	if _, _, err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	held := f.gate("/v1/client/allocation/a1/checks")
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.checkRound(ctx)
	}()
	held.wait(t)
	f.applyEvents(t, s, f.deleteService("s1"))
	f.open(held)
	<-done

	snap := store.Snapshot()
	if h := healthOf(snap, "s1"); h != "<missing>" {
		t.Errorf("an instance deregistered during the round is back, %q", h)
	}
	if h := healthOf(snap, "s2"); h != model.HealthPassing {
		t.Errorf("s2 is %q after the round, want passing", h)
	}
}
