package auth

import "testing"

func TestTokenShaped(t *testing.T) {
	for s, want := range map[string]bool{
		"0b5e1c7e-4f7d-4c1a-9c55-000000000001": true,
		"eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl":   true,
		"":                                     false,
		"hunter2":                              false,
		"a.b":                                  false,
		"<script>.x.y":                         false,
	} {
		if got := tokenShaped(s); got != want {
			t.Errorf("tokenShaped(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestGrants(t *testing.T) {
	g := newGrants()
	for _, rules := range []string{
		`namespace "team-a" { policy = "read" }
		 namespace "team-*" { capabilities = ["list-jobs"] }
		 node { policy = "read" }`,
		`namespace "team-c" { capabilities = ["read-job"] }
		 namespace "team-d" { policy = "write" }`,
		`namespace "team-d" { policy = "deny" }`,
		`{"namespace": {"json-ns": {"policy": "read"}}}`,
	} {
		if err := g.add(rules); err != nil {
			t.Fatal(err)
		}
	}
	sc := g.scope()
	for ns, want := range map[string]bool{"team-a": true, "team-b": false, "team-c": true, "team-d": false, "json-ns": true, "default": false} {
		if got := sc.ReadsNamespace(ns); got != want {
			t.Errorf("ReadsNamespace(%q) = %v, want %v", ns, got, want)
		}
	}
	if !sc.Nodes {
		t.Error("node read not granted")
	}
	if err := newGrants().add(`namespace "x" {`); err == nil {
		t.Error("broken rules parsed")
	}
}
