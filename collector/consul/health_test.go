package consul

import (
	"testing"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
)

func TestCheckStates(t *testing.T) {
	check := func(node, svc, status string) *consulapi.HealthCheck {
		return &consulapi.HealthCheck{Node: node, ServiceID: svc, Status: status}
	}
	tests := []struct {
		name   string
		checks consulapi.HealthChecks
		want   string
	}{
		{"no checks", nil, model.HealthPassing},
		{"passing", consulapi.HealthChecks{check("n", "s", "passing"), check("n", "", "passing")}, model.HealthPassing},
		{"one warning", consulapi.HealthChecks{check("n", "s", "passing"), check("n", "s", "warning")}, model.HealthWarning},
		{"critical beats warning", consulapi.HealthChecks{check("n", "s", "warning"), check("n", "s", "critical")}, model.HealthCritical},
		{"node check counts", consulapi.HealthChecks{check("n", "s", "passing"), check("n", "", "critical")}, model.HealthCritical},
		{"maintenance is critical", consulapi.HealthChecks{check("n", "s", "maintenance")}, model.HealthCritical},
		{"other services do not count", consulapi.HealthChecks{check("n", "other", "critical"), check("m", "s", "critical")}, model.HealthPassing},
		{"other nodes do not count", consulapi.HealthChecks{check("m", "", "critical")}, model.HealthPassing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newCheckStates(tt.checks).of("n", "", "s"); got != tt.want {
				t.Errorf("health = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNextIndex(t *testing.T) {
	tests := []struct{ prev, got, want uint64 }{
		{0, 10, 10},
		{10, 12, 12},
		{12, 12, 12},
		{12, 5, 0}, // went backwards: start over
		{0, 0, 1},  // never wait on 0
	}
	for _, tt := range tests {
		if got := nextIndex(tt.prev, tt.got); got != tt.want {
			t.Errorf("nextIndex(%d, %d) = %d, want %d", tt.prev, tt.got, got, tt.want)
		}
	}
}
