package jobspec_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/nomad/jobspec"
)

func TestEnvRefs(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []model.Ref
	}{
		{"none", map[string]string{"A": "b", "NOMAD_ADDR": "http://127.0.0.1:4646"}, []model.Ref{}},
		{"interpolated addr", map[string]string{"REDIS": "${NOMAD_ADDR_redis}"},
			[]model.Ref{{Kind: model.RefEnvAddr, Target: "redis", Source: "REDIS", Text: "NOMAD_ADDR_redis"}}},
		{"ip and port in a URL", map[string]string{"URL": "http://${NOMAD_IP_http}:${NOMAD_PORT_http}/api"},
			[]model.Ref{
				{Kind: model.RefEnvAddr, Target: "http", Source: "URL", Text: "NOMAD_IP_http"},
				{Kind: model.RefEnvAddr, Target: "http", Source: "URL", Text: "NOMAD_PORT_http"},
			}},
		{"host port forms are not addr", map[string]string{"P": "${NOMAD_HOST_PORT_db}", "A": "${NOMAD_HOST_ADDR_db}", "I": "$NOMAD_HOST_IP_db"},
			[]model.Ref{
				{Kind: model.RefEnvHostPort, Target: "db", Source: "A", Text: "NOMAD_HOST_ADDR_db"},
				{Kind: model.RefEnvHostPort, Target: "db", Source: "I", Text: "NOMAD_HOST_IP_db"},
				{Kind: model.RefEnvHostPort, Target: "db", Source: "P", Text: "NOMAD_HOST_PORT_db"},
			}},
		{"upstream with mangled name", map[string]string{"REDIS_URL": "http://${NOMAD_UPSTREAM_ADDR_redis_db}/"},
			[]model.Ref{{Kind: model.RefEnvUpstream, Target: "redis_db", Source: "REDIS_URL", Text: "NOMAD_UPSTREAM_ADDR_redis_db"}}},
		{"upstream ip and port", map[string]string{"H": "${NOMAD_UPSTREAM_IP_api}", "P": "${NOMAD_UPSTREAM_PORT_api}"},
			[]model.Ref{
				{Kind: model.RefEnvUpstream, Target: "api", Source: "H", Text: "NOMAD_UPSTREAM_IP_api"},
				{Kind: model.RefEnvUpstream, Target: "api", Source: "P", Text: "NOMAD_UPSTREAM_PORT_api"},
			}},
		{"alloc forms", map[string]string{"X": "${NOMAD_ALLOC_PORT_grpc}"},
			[]model.Ref{{Kind: model.RefEnvAddr, Target: "grpc", Source: "X", Text: "NOMAD_ALLOC_PORT_grpc"}}},
		{"duplicates collapse", map[string]string{"X": "${NOMAD_PORT_a},${NOMAD_PORT_a}"},
			[]model.Ref{{Kind: model.RefEnvAddr, Target: "a", Source: "X", Text: "NOMAD_PORT_a"}}},
		{"adjacent and bare", map[string]string{"X": "$NOMAD_PORT_a${NOMAD_ADDR_b} NOMAD_IP_c"},
			[]model.Ref{
				{Kind: model.RefEnvAddr, Target: "a", Source: "X", Text: "NOMAD_PORT_a"},
				{Kind: model.RefEnvAddr, Target: "b", Source: "X", Text: "NOMAD_ADDR_b"},
				{Kind: model.RefEnvAddr, Target: "c", Source: "X", Text: "NOMAD_IP_c"},
			}},
		{"not inside another name", map[string]string{"X": "${MY_NOMAD_ADDR_x}"}, []model.Ref{}},
		{"names are not values", map[string]string{"NOMAD_ADDR_redis": "plain"}, []model.Ref{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jobspec.EnvRefs(tt.env); !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
