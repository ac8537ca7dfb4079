package model_test

import (
	"testing"

	"github.com/netviz/netviz/internal/fixture"

	"github.com/netviz/netviz/collector/model"
)

func TestPortTask(t *testing.T) {
	sidecar := model.Task{Name: "connect-proxy-app", Kind: "connect-proxy:app", Lifecycle: model.LifecyclePrestart, Sidecar: true}
	tests := []struct {
		name  string
		alloc *model.Allocation
		label string
		want  string
	}{
		{"config.ports wins", fixture.Alloc("a", "j").Task("app", nil).Task("cache", []string{"redis"}).Build(), "redis", "cache"},
		{"task-level service", fixture.Alloc("a", "j").Task("app", nil).Task("cache", nil).
			Spec(model.ServiceSpec{Name: "r", Task: "cache", PortLabel: "db-port"}).Build(), "db_port", "cache"},
		{"task named after the label", fixture.Alloc("a", "j").Task("app", nil).Task("redis", nil).Build(), "redis", "redis"},
		{"lone main task beside a sidecar", &model.Allocation{Tasks: []model.Task{{Name: "app"}, sidecar}}, "http", "app"},
		{"two main tasks, no clue", fixture.Alloc("a", "j").Task("app", nil).Task("web", nil).Build(), "http", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.alloc.PortTask(tt.label); got != tt.want {
				t.Errorf("PortTask(%q) = %q, want %q", tt.label, got, tt.want)
			}
		})
	}
}
