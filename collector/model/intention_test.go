package model_test

import (
	"testing"

	"github.com/netviz/netviz/collector/model"
)

func TestIntentionFor(t *testing.T) {
	intentions := []model.Intention{
		{Source: "*", Destination: "*", Action: model.ActionDeny},
		{Source: "web", Destination: "*", Action: model.ActionAllow},
		{Source: "*", Destination: "db", Action: model.ActionDeny},
		{Source: "web", Destination: "db", Action: model.ActionAllow},
		{Source: "*", Destination: "cache", Action: model.ActionAllow},
	}
	tests := []struct {
		name         string
		intentions   []model.Intention
		defaultAllow bool
		src, dst     string
		want         string
		wantMatch    string // "source→destination" of the matched intention, "" for none
	}{
		{"exact beats wildcards", intentions, true, "web", "db", model.ActionAllow, "web→db"},
		{"wildcard source with exact destination beats exact source with wildcard destination", intentions, true, "api", "db", model.ActionDeny, "*→db"},
		{"exact source, wildcard destination", intentions, false, "web", "api", model.ActionAllow, "web→*"},
		{"wildcard source, exact destination over exact source wildcard destination", intentions, false, "web", "cache", model.ActionAllow, "*→cache"},
		{"catch-all", intentions, true, "api", "queue", model.ActionDeny, "*→*"},
		{"no match, default allow", nil, true, "a", "b", model.ActionAllow, ""},
		{"no match, default deny", nil, false, "a", "b", model.ActionDeny, ""},
		{"explicit precedence kept", []model.Intention{
			{Source: "a", Destination: "b", Action: model.ActionAllow, Precedence: 1},
			{Source: "*", Destination: "*", Action: model.ActionDeny, Precedence: 2},
		}, true, "a", "b", model.ActionDeny, "*→*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := model.NewStore().Apply(model.ReplaceIntentions{Intentions: tt.intentions, DefaultAllow: tt.defaultAllow})
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

// TestIntentionPrecedence checks Consul's documented table, namespaces
// included ("" is the default namespace).
func TestIntentionPrecedence(t *testing.T) {
	tests := []struct {
		srcNS, src, dstNS, dst string
		want                   int
	}{
		{"", "web", "", "db", 9},
		{"", "*", "", "db", 8},
		{"*", "*", "", "db", 7},
		{"", "web", "", "*", 6},
		{"", "*", "", "*", 5},
		{"*", "*", "", "*", 4},
		{"ns", "web", "*", "*", 3},
		{"ns", "*", "*", "*", 2},
		{"*", "*", "*", "*", 1},
		{"default", "web", "default", "db", 9},
	}
	for _, tt := range tests {
		if got := model.IntentionPrecedence(tt.srcNS, tt.src, tt.dstNS, tt.dst); got != tt.want {
			t.Errorf("IntentionPrecedence(%q/%q → %q/%q) = %d, want %d", tt.srcNS, tt.src, tt.dstNS, tt.dst, got, tt.want)
		}
	}
}

func TestIntentionsSorted(t *testing.T) {
	s := model.NewStore().Apply(model.ReplaceIntentions{Intentions: []model.Intention{
		{Source: "*", Destination: "*", Action: model.ActionDeny},
		{Source: "b", Destination: "db", Action: model.ActionAllow},
		{Source: "a", Destination: "db", Action: model.ActionAllow},
		{Source: "*", Destination: "db", Action: model.ActionDeny},
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
