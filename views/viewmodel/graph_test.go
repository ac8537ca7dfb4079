package viewmodel_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/internal/golden"
	"github.com/netviz/netviz/views/viewmodel"

	"github.com/netviz/netviz/collector/model"
)

// jsonFixtures are the snapshots whose JSON form is pinned by golden files.
func jsonFixtures() map[string]*model.Snapshot {
	empty := model.NewStore().Snapshot()
	mesh := model.NewStore().Apply(
		model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected, Address: "http://127.0.0.1:4646", Index: 42,
			LastEvent: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}},
		model.SetConsulStatus{Status: model.SourceStatus{State: model.StateConnected, Address: "http://127.0.0.1:8500"}},
		model.ReplaceIntentions{Intentions: []model.Intention{{Source: "app", Destination: "redis", Action: model.ActionAllow}}},
		fixture.Node("n1", "client-1"),
		fixture.Alloc("a1", "app").Mode(model.ModeBridge, "172.26.64.5").
			Port("http", "10.0.0.1", 23522, 8080, false).
			Spec(fixture.ConnectSpec("app", model.Upstream{DestinationName: "redis", LocalBindPort: 6379})).
			Task("app", []string{"http"}, model.Ref{Kind: model.RefEnvUpstream, Target: "redis", Source: "REDIS", Text: "NOMAD_UPSTREAM_ADDR_redis"}).Upsert(),
		fixture.Alloc("r1", "redis").Mode(model.ModeBridge, "172.26.64.6").Port("db", "10.0.0.1", 6379, 0, true).
			Task("redis", []string{"db"}).Task("exporter", nil, fixture.EnvAddr("db", "REDIS_ADDR")).Upsert(),
		fixture.UpsertService("consul", "_nomad-task-r1-redis", "redis", "r1", model.HealthPassing),
		// A second redis on the same static port: a port conflict.
		fixture.Alloc("r2", "redis-copy").Port("db", "10.0.0.1", 6379, 0, true).Upsert(),
	)
	return map[string]*model.Snapshot{"empty": empty, "mesh": mesh}
}

func TestSnapshotJSONGolden(t *testing.T) {
	for name, snap := range jsonFixtures() {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(viewmodel.NewGraph(snap), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", name+".golden.json"), append(got, '\n'))
		})
	}
}

func TestSnapshotJSONKeys(t *testing.T) {
	for name, snap := range jsonFixtures() {
		t.Run(name, func(t *testing.T) {
			b, err := viewmodel.GraphJSON(snap)
			if err != nil {
				t.Fatal(err)
			}
			var top map[string]json.RawMessage
			if err := json.Unmarshal(b, &top); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k, v := range top {
				keys = append(keys, k)
				if string(v) == "null" {
					t.Errorf("key %q is null", k)
				}
			}
			slices.Sort(keys)
			want := []string{"allocations", "default_allow", "edges", "intentions", "nodes", "services", "status", "version", "warnings"}
			if !slices.Equal(keys, want) {
				t.Errorf("keys %v, want %v", keys, want)
			}
		})
	}
}
