package consul

import (
	"testing"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
)

func TestFlattenIntentions(t *testing.T) {
	entries := []consulapi.ConfigEntry{
		&consulapi.ServiceIntentionsConfigEntry{Kind: intentionsKind, Name: "db", Sources: []*consulapi.SourceIntention{
			{Name: "web", Action: consulapi.IntentionActionAllow, Description: "app reads"},
			{Name: "*", Action: consulapi.IntentionActionDeny},
			{Name: "admin", Permissions: []*consulapi.IntentionPermission{{Action: consulapi.IntentionActionAllow}}},
			{Name: "reported", Action: consulapi.IntentionActionDeny, Precedence: 42},
		}},
		&consulapi.ServiceIntentionsConfigEntry{Kind: intentionsKind, Name: "*", Sources: []*consulapi.SourceIntention{
			{Name: "batch", Action: consulapi.IntentionActionDeny},
		}},
		&consulapi.ServiceConfigEntry{Kind: consulapi.ServiceDefaults, Name: "ignored"},
	}
	want := []model.Intention{
		{Source: "web", Destination: "db", Action: model.ActionAllow, Precedence: 9, Description: "app reads"},
		{Source: "*", Destination: "db", Action: model.ActionDeny, Precedence: 8},
		{Source: "admin", Destination: "db", Action: model.ActionAllow, Precedence: 9, Description: "L7: 1 permission rule(s) decide per request"},
		{Source: "reported", Destination: "db", Action: model.ActionDeny, Precedence: 42},
		{Source: "batch", Destination: "*", Action: model.ActionDeny, Precedence: 6},
	}
	got := flattenIntentions(entries)
	if len(got) != len(want) {
		t.Fatalf("got %d intentions, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("intention %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := flattenIntentions(nil); got == nil || len(got) != 0 {
		t.Errorf("flattenIntentions(nil) = %#v, want an empty slice", got)
	}
}
