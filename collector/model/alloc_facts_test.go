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
