package model_test

import (
	"testing"

	"github.com/netviz/netviz/collector/model"
)

func TestNetworkMode(t *testing.T) {
	tests := []struct {
		name, allocated, group, want string
	}{
		{"neither says: Nomad's default", "", "", model.ModeHost},
		{"allocated only", model.ModeBridge, "", model.ModeBridge},
		{"group only: allocated network carries no mode", "", model.ModeBridge, model.ModeBridge},
		{"allocated wins over group", model.ModeHost, model.ModeBridge, model.ModeHost},
		{"allocated bridge, group host", model.ModeBridge, model.ModeHost, model.ModeBridge},
		{"CNI mode passes through", "", "cni/mynet", "cni/mynet"},
		{"none from the group", "", model.ModeNone, model.ModeNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.NetworkMode(tt.allocated, tt.group); got != tt.want {
				t.Errorf("NetworkMode(%q, %q) = %q, want %q", tt.allocated, tt.group, got, tt.want)
			}
		})
	}
}

func TestInsidePortOf(t *testing.T) {
	a := &model.Allocation{Ports: []model.Port{
		{Label: "http", Value: 23456, To: 8080},
		{Label: "db", Value: 5432},
		{Label: "6379", Value: 31000, To: 6380}, // a label that looks like a number is still a label
	}}
	tests := []struct {
		label string
		want  int
	}{
		{"http", 8080},              // mapped: its `to`
		{"db", 5432},                // no `to`: the host port
		{"6379", 6380},              // the label wins over the number
		{"9090", 9090},              // no such label: a bare number
		{"metrics", 0},              // neither: unknown
		{"", 0},                     // unknown
		{"99999999999999999999", 0}, // out of int's range: unknown, not the largest int
	}
	for _, tt := range tests {
		if got := a.InsidePortOf(tt.label); got != tt.want {
			t.Errorf("InsidePortOf(%q) = %d, want %d", tt.label, got, tt.want)
		}
	}
}
