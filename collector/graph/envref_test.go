package graph_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/collector/graph"
)

func TestParseEnvRefs(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []graph.Ref
	}{
		{"none", map[string]string{"A": "b", "NOMAD_ADDR": "http://127.0.0.1:4646"}, []graph.Ref{}},
		{"interpolated addr", map[string]string{"REDIS": "${NOMAD_ADDR_redis}"},
			[]graph.Ref{{Kind: graph.RefEnvAddr, Target: "redis", Source: "REDIS", Text: "NOMAD_ADDR_redis"}}},
		{"ip and port in a URL", map[string]string{"URL": "http://${NOMAD_IP_http}:${NOMAD_PORT_http}/api"},
			[]graph.Ref{
				{Kind: graph.RefEnvAddr, Target: "http", Source: "URL", Text: "NOMAD_IP_http"},
				{Kind: graph.RefEnvAddr, Target: "http", Source: "URL", Text: "NOMAD_PORT_http"},
			}},
		{"host port forms are not addr", map[string]string{"P": "${NOMAD_HOST_PORT_db}", "A": "${NOMAD_HOST_ADDR_db}", "I": "$NOMAD_HOST_IP_db"},
			[]graph.Ref{
				{Kind: graph.RefEnvHostPort, Target: "db", Source: "A", Text: "NOMAD_HOST_ADDR_db"},
				{Kind: graph.RefEnvHostPort, Target: "db", Source: "I", Text: "NOMAD_HOST_IP_db"},
				{Kind: graph.RefEnvHostPort, Target: "db", Source: "P", Text: "NOMAD_HOST_PORT_db"},
			}},
		{"upstream with mangled name", map[string]string{"REDIS_URL": "http://${NOMAD_UPSTREAM_ADDR_redis_db}/"},
			[]graph.Ref{{Kind: graph.RefEnvUpstream, Target: "redis_db", Source: "REDIS_URL", Text: "NOMAD_UPSTREAM_ADDR_redis_db"}}},
		{"upstream ip and port", map[string]string{"H": "${NOMAD_UPSTREAM_IP_api}", "P": "${NOMAD_UPSTREAM_PORT_api}"},
			[]graph.Ref{
				{Kind: graph.RefEnvUpstream, Target: "api", Source: "H", Text: "NOMAD_UPSTREAM_IP_api"},
				{Kind: graph.RefEnvUpstream, Target: "api", Source: "P", Text: "NOMAD_UPSTREAM_PORT_api"},
			}},
		{"alloc forms", map[string]string{"X": "${NOMAD_ALLOC_PORT_grpc}"},
			[]graph.Ref{{Kind: graph.RefEnvAddr, Target: "grpc", Source: "X", Text: "NOMAD_ALLOC_PORT_grpc"}}},
		{"duplicates collapse", map[string]string{"X": "${NOMAD_PORT_a},${NOMAD_PORT_a}"},
			[]graph.Ref{{Kind: graph.RefEnvAddr, Target: "a", Source: "X", Text: "NOMAD_PORT_a"}}},
		{"adjacent and bare", map[string]string{"X": "$NOMAD_PORT_a${NOMAD_ADDR_b} NOMAD_IP_c"},
			[]graph.Ref{
				{Kind: graph.RefEnvAddr, Target: "a", Source: "X", Text: "NOMAD_PORT_a"},
				{Kind: graph.RefEnvAddr, Target: "b", Source: "X", Text: "NOMAD_ADDR_b"},
				{Kind: graph.RefEnvAddr, Target: "c", Source: "X", Text: "NOMAD_IP_c"},
			}},
		{"not inside another name", map[string]string{"X": "${MY_NOMAD_ADDR_x}"}, []graph.Ref{}},
		{"names are not values", map[string]string{"NOMAD_ADDR_redis": "plain"}, []graph.Ref{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := graph.ParseEnvRefs(tt.env); !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
