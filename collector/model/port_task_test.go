package model_test

import (
	"testing"

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
		{"config.ports wins", newAlloc("a", "j").task("app", nil).task("cache", []string{"redis"}).build(), "redis", "cache"},
		{"task-level service", newAlloc("a", "j").task("app", nil).task("cache", nil).
			spec(model.ServiceSpec{Name: "r", Task: "cache", PortLabel: "db-port"}).build(), "db_port", "cache"},
		{"task named after the label", newAlloc("a", "j").task("app", nil).task("redis", nil).build(), "redis", "redis"},
		{"lone main task beside a sidecar", &model.Allocation{Tasks: []model.Task{{Name: "app"}, sidecar}}, "http", "app"},
		{"two main tasks, no clue", newAlloc("a", "j").task("app", nil).task("web", nil).build(), "http", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.alloc.PortTask(tt.label); got != tt.want {
				t.Errorf("PortTask(%q) = %q, want %q", tt.label, got, tt.want)
			}
		})
	}
}
