package model_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

func TestReadsNamespace(t *testing.T) {
	sc := model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{
		{Pattern: "team-*", Read: true},
		{Pattern: "team-secret*", Read: false},
		{Pattern: "team-b", Read: false},
		{Pattern: "default", Read: true},
	}})
	for ns, want := range map[string]bool{
		"team-a": true, "team-b": false, "team-secret-x": false, "": true, "default": true, "other": false,
	} {
		if got := sc.ReadsNamespace(ns); got != want {
			t.Errorf("ReadsNamespace(%q) = %v, want %v", ns, got, want)
		}
	}
	if (model.Scope{All: true}).ReadsNamespace("anything") != true {
		t.Error("All scope refused a namespace")
	}
}

func TestScopeKeyCanonical(t *testing.T) {
	a := model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "b", Read: true}, {Pattern: "a"}}, Consul: true, Services: []string{"y", "x", "x"}})
	b := model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "a"}, {Pattern: "b", Read: true}}, Consul: true, Services: []string{"x", "y"}})
	if a.Key() != b.Key() {
		t.Errorf("equal rights, different keys: %q vs %q", a.Key(), b.Key())
	}
	c := model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "b", Read: true}}})
	if a.Key() == c.Key() {
		t.Errorf("different rights, same key %q", a.Key())
	}
}

func TestRestrict(t *testing.T) {
	st := model.NewStore()
	snap := st.Apply(
		fixture.Node("n1", "node-1"),
		fixture.Alloc("a1", "web").NS("team-a").Node("n1").Svc("web", model.ProviderNomad, "http").Upsert(),
		fixture.Alloc("b1", "db").NS("team-b").Node("n1").Svc("db", model.ProviderConsul, "http").Upsert(),
		model.UpsertService{Service: &model.Service{ID: "s-a", Name: "web", Provider: model.ProviderNomad, Namespace: "team-a", AllocID: "a1"}},
		model.UpsertService{Service: &model.Service{ID: "s-b", Name: "db", Provider: model.ProviderConsul, AllocID: "b1"}},
		model.UpsertService{Service: &model.Service{ID: "s-c", Name: "web-ext", Provider: model.ProviderConsul}},
		model.ReplaceIntentions{Intentions: []model.Intention{{Source: "web", Destination: "db", Action: model.ActionAllow}, {Source: "x", Destination: "web-ext", Action: model.ActionDeny}}},
	)
	teamA := model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "team-a", Read: true}}})
	r := snap.Restrict(teamA)
	if got := ids(r.Allocations()); !slices.Equal(got, []string{"a1"}) {
		t.Errorf("allocations %v, want [a1]", got)
	}
	if len(r.Nodes()) != 0 {
		t.Errorf("nodes shown without node read: %v", fixture.NodeIDs(r.Nodes()))
	}
	if got := fixture.ServiceIDs(r.Services()); !slices.Equal(got, []string{"nomad/s-a"}) {
		t.Errorf("services %v, want only the Nomad service of team-a", got)
	}
	if len(r.Intentions()) != 0 {
		t.Errorf("intentions shown without a Consul token: %v", r.Intentions())
	}
	if r.Version() != snap.Version() || r.Status().Nomad.State != snap.Status().Nomad.State {
		t.Error("restricted snapshot lost the version or status")
	}
	if snap.Restrict(teamA) != r {
		t.Error("a second Restrict with equal rights built another snapshot")
	}

	// With a Consul token reading db and web-ext, the Consul service of an
	// allocation still hidden stays hidden; the one without allocation shows.
	withConsul := model.NormalizeScope(model.Scope{Namespaces: teamA.Namespaces, Nodes: true, Consul: true, Services: []string{"db", "web-ext"}})
	r = snap.Restrict(withConsul)
	if got := fixture.ServiceIDs(r.Services()); !slices.Equal(got, []string{"nomad/s-a", "consul/s-c"}) {
		t.Errorf("services %v, want [s-a s-c]", got)
	}
	if len(r.Nodes()) != 1 {
		t.Errorf("nodes %v, want node-1", fixture.NodeIDs(r.Nodes()))
	}
	if in := r.Intentions(); len(in) != 2 {
		t.Errorf("intentions %v, want both (db and web-ext readable)", in)
	}
	if snap.Restrict(model.Scope{All: true}) != snap {
		t.Error("an All scope copied the snapshot")
	}
}

func ids(as []*model.Allocation) []string { return fixture.AllocIDs(as) }
