package graph_test

import (
	"testing"

	"github.com/netviz/netviz/collector/graph"
)

func TestIntentionFor(t *testing.T) {
	intentions := []graph.Intention{
		{Source: "*", Destination: "*", Action: graph.ActionDeny},
		{Source: "web", Destination: "*", Action: graph.ActionAllow},
		{Source: "*", Destination: "db", Action: graph.ActionDeny},
		{Source: "web", Destination: "db", Action: graph.ActionAllow},
		{Source: "*", Destination: "cache", Action: graph.ActionAllow},
	}
	tests := []struct {
		name         string
		intentions   []graph.Intention
		defaultAllow bool
		src, dst     string
		want         string
		wantMatch    string // "source→destination" of the matched intention, "" for none
	}{
		{"exact beats wildcards", intentions, true, "web", "db", graph.ActionAllow, "web→db"},
		{"wildcard source with exact destination beats exact source with wildcard destination", intentions, true, "api", "db", graph.ActionDeny, "*→db"},
		{"exact source, wildcard destination", intentions, false, "web", "api", graph.ActionAllow, "web→*"},
		{"wildcard source, exact destination over exact source wildcard destination", intentions, false, "web", "cache", graph.ActionAllow, "*→cache"},
		{"catch-all", intentions, true, "api", "queue", graph.ActionDeny, "*→*"},
		{"no match, default allow", nil, true, "a", "b", graph.ActionAllow, ""},
		{"no match, default deny", nil, false, "a", "b", graph.ActionDeny, ""},
		{"explicit precedence kept", []graph.Intention{
			{Source: "a", Destination: "b", Action: graph.ActionAllow, Precedence: 1},
			{Source: "*", Destination: "*", Action: graph.ActionDeny, Precedence: 2},
		}, true, "a", "b", graph.ActionDeny, "*→*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := graph.NewStore().Apply(graph.ReplaceIntentions{Intentions: tt.intentions, DefaultAllow: tt.defaultAllow})
			got, m := s.IntentionFor(tt.src, tt.dst)
			match := ""
			if m != nil {
				match = m.Source + "→" + m.Destination
			}
			if got != tt.want || match != tt.wantMatch {
				t.Errorf("IntentionFor(%q, %q) = %q via %q, want %q via %q", tt.src, tt.dst, got, match, tt.want, tt.wantMatch)
			}
			if s.DefaultAllow() != tt.defaultAllow {
				t.Errorf("DefaultAllow = %v", s.DefaultAllow())
			}
		})
	}
}

func TestIntentionsSorted(t *testing.T) {
	s := graph.NewStore().Apply(graph.ReplaceIntentions{Intentions: []graph.Intention{
		{Source: "*", Destination: "*", Action: graph.ActionDeny},
		{Source: "b", Destination: "db", Action: graph.ActionAllow},
		{Source: "a", Destination: "db", Action: graph.ActionAllow},
		{Source: "*", Destination: "db", Action: graph.ActionDeny},
	}})
	var got []string
	for _, in := range s.Intentions() {
		got = append(got, in.Source+"→"+in.Destination)
	}
	want := []string{"a→db", "b→db", "*→db", "*→*"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}
