package jobspec_test

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/nomad/jobspec"
)

func TestTemplateRefs(t *testing.T) {
	nomad := func(target, text string) model.Ref {
		return model.Ref{Kind: model.RefNomadService, Target: target, Source: "template:local/app.env", Text: text}
	}
	consul := func(target, text string) model.Ref {
		return model.Ref{Kind: model.RefConsulService, Target: target, Source: "template:local/app.env", Text: text}
	}
	tests := []struct {
		name string
		data string
		want []model.Ref
	}{
		{"plain text", "hello {{ .Foo }}", []model.Ref{}},
		{"range nomadService",
			"{{ range nomadService \"redis\" }}REDIS={{ .Address }}:{{ .Port }}\n{{ end }}",
			[]model.Ref{nomad("redis", `nomadService "redis"`)}},
		{"tag and region stripped", `{{ range nomadService "primary.redis@eu" }}{{ end }}`,
			[]model.Ref{nomad("redis", `nomadService "primary.redis@eu"`)}},
		{"subset form names the last argument", `{{ range nomadService 2 $key "redis" }}{{ end }}`,
			[]model.Ref{nomad("redis", `nomadService 2 $key "redis"`)}},
		{"range nomadServices", `{{ range nomadServices }}{{ .Name }}{{ end }}`,
			[]model.Ref{nomad("*", `nomadServices`)}},
		{"consul service with tag, dc and filter", `{{ range service "tag.redis@dc1" "passing,warning" }}{{ .Address }}{{ end }}`,
			[]model.Ref{consul("redis", `service "tag.redis@dc1" "passing,warning"`)}},
		{"range services", `{{ range services }}{{ .Name }}{{ end }}`, []model.Ref{consul("*", "services")}},
		{"connect", `{{ range connect "db" }}{{ end }}`, []model.Ref{consul("db", `connect "db"`)}},
		{"with and pipeline", `{{ with service "api" | toJSON }}{{ . }}{{ end }}`, []model.Ref{consul("api", `service "api"`)}},
		{"assignment in range", `{{ range $i, $s := nomadService "web" }}{{ $s.Port }}{{ end }}`,
			[]model.Ref{nomad("web", `nomadService "web"`)}},
		{"parenthesised argument", `{{ if gt (len (service "db")) 0 }}up{{ else }}{{ range nomadService "fallback" }}{{ end }}{{ end }}`,
			[]model.Ref{consul("db", `service "db"`), nomad("fallback", `nomadService "fallback"`)}},
		{"trim markers and raw strings", "{{- range nomadService `cache` -}}{{ end -}}", []model.Ref{nomad("cache", "nomadService `cache`")}},
		{"variable name skipped", `{{ $n := "x" }}{{ range service $n }}{{ end }}`, []model.Ref{}},
		{"field named service is not a query", `{{ .service }}{{ with .Service }}{{ end }}`, []model.Ref{}},
		{"env ref inside template", `UP={{ env "NOMAD_UPSTREAM_ADDR_redis" }}`,
			[]model.Ref{{Kind: model.RefEnvUpstream, Target: "redis", Source: "template:local/app.env", Text: "NOMAD_UPSTREAM_ADDR_redis"}}},
		{"duplicates collapse", `{{ range nomadService "a" }}{{ end }}{{ range nomadService "a" }}{{ end }}`,
			[]model.Ref{nomad("a", `nomadService "a"`)}},
		{"nginx upstream block",
			"upstream backend {\n{{- range nomadService \"web\" }}\n  server {{ .Address }}:{{ .Port }};\n{{- else }}\n  server 127.0.0.1:65535; # none\n{{- end }}\n}\n",
			[]model.Ref{nomad("web", `nomadService "web"`)}},
		{"byTag over service", `{{ range $tag, $svcs := service "web" | byTag }}{{ $tag }}{{ end }}`,
			[]model.Ref{consul("web", `service "web"`)}},
		{"mixed with keys and secrets", `{{ key "cfg/x" }}{{ with secret "db/creds" }}{{ .Data.user }}{{ end }}{{ range service "db" }}{{ end }}`,
			[]model.Ref{consul("db", `service "db"`)}},
		{"nested range inside range services", `{{ range services }}{{ range service .Name }}{{ end }}{{ end }}`,
			[]model.Ref{consul("*", "services")}},
		{"near and dc", `{{ range service "web@dc2~_agent" }}{{ end }}`, []model.Ref{consul("web", `service "web@dc2~_agent"`)}},
		{"unparsable text falls back to scanning actions", `{{ range nomadService "redis" }} never closed {{ service "db" }}`,
			[]model.Ref{consul("db", `service "db"`), nomad("redis", `nomadService "redis"`)}},
		{"fallback ignores words outside actions", `service "db" {{ range nomadService "x" }}`,
			[]model.Ref{nomad("x", `nomadService "x"`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jobspec.TemplateRefs("local/app.env", tt.data, "", ""); !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestTemplateRefsDelimiters: a template block's left_delimiter and
// right_delimiter decide what is an action, for the parser and for the
// fallback scan alike; hostile delimiters and text never panic and keep the
// result's promises (see checkRefs).
func TestTemplateRefsDelimiters(t *testing.T) {
	nomad := func(target, text string) model.Ref {
		return model.Ref{Kind: model.RefNomadService, Target: target, Source: "template:d", Text: text}
	}
	consul := func(target, text string) model.Ref {
		return model.Ref{Kind: model.RefConsulService, Target: target, Source: "template:d", Text: text}
	}
	long := strings.Repeat("<", 10000)
	tests := []struct {
		name        string
		left, right string
		data        string
		want        []model.Ref
	}{
		{"square brackets", "[[", "]]", `[[ range service "redis" ]][[ .Address ]][[ end ]]`,
			[]model.Ref{consul("redis", `service "redis"`)}},
		{"a lone action", "[[", "]]", `[[ service "redis" ]]`, []model.Ref{consul("redis", `service "redis"`)}},
		{"braces are plain text then", "[[", "]]", `{{ service "db" }} [[ range nomadService "api" ]][[ end ]]`,
			[]model.Ref{nomad("api", `nomadService "api"`)}},
		{"trim markers", "[[", "]]", "[[- range nomadService `cache` -]][[ end -]]", []model.Ref{nomad("cache", "nomadService `cache`")}},
		{"defaults spelled out", "{{", "}}", `{{ range connect "db" }}{{ end }}`, []model.Ref{consul("db", `connect "db"`)}},
		{"only the left one set", "<%", "", `<% range service "a" }}<% end }}`, []model.Ref{consul("a", `service "a"`)}},
		{"regexp characters", ".*", "+?", `.* range service "a" +?.* end +?`, []model.Ref{consul("a", `service "a"`)}},
		{"both the same", "%%", "%%", `%% range nomadService "x" %%%% end %%`, []model.Ref{nomad("x", `nomadService "x"`)}},
		{"env refs do not care", "[[", "]]", `UP={{ env "NOMAD_UPSTREAM_ADDR_redis" }}`,
			[]model.Ref{{Kind: model.RefEnvUpstream, Target: "redis", Source: "template:d", Text: "NOMAD_UPSTREAM_ADDR_redis"}}},
		{"fallback uses the delimiters", "[[", "]]", `[[ range nomadService "redis" ]] never closed {{ service "db" }} [[ service "kv" ]]`,
			[]model.Ref{consul("kv", `service "kv"`), nomad("redis", `nomadService "redis"`)}},
		{"fallback, right delimiter missing", "[[", "]]", `[[ service "db"`, []model.Ref{}},
		{"very long delimiters", long, long, long + ` service "a" ` + long + long + ` service "b"`,
			[]model.Ref{consul("a", `service "a"`)}},
		{"quote as delimiter", `"`, `"`, `" service "x" "`, []model.Ref{}},
		{"newline delimiters", "\n", "\n", "\n service \"a\" \n", []model.Ref{consul("a", `service "a"`)}},
		{"comment markers as delimiters", "/*", "*/", `/* service "a" */ /*/* x */*/`, nil},
		{"NUL and invalid UTF-8", "\x00", "\xff", "\x00 service \"a\" \xff\x00 service \"\xfe\"", nil},
		{"unclosed everything", "[[", "]]", `[[ range [[ if [[ with service "a`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := jobspec.TemplateRefs("d", tt.data, tt.left, tt.right)
			checkRefs(t, tt.data, got)
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// FuzzTemplateRefs checks that any text, with any delimiters, parses
// without panicking and that the result keeps its promises (checkRefs).
func FuzzTemplateRefs(f *testing.F) {
	for _, seed := range []struct{ data, left, right string }{
		{`{{ range nomadService "redis" }}{{ .Address }}{{ end }}`, "", ""},
		{`{{ range service "tag.redis@dc1" }}{{ end }}`, "", ""},
		{`{{ with nomadServices }}{{ end }}`, "", ""},
		{`{{ env "NOMAD_UPSTREAM_ADDR_x" }} {{ service "a`, "", ""},
		{"{{- range nomadService 1 `k` `svc` -}}", "", ""},
		{`{{ template "x" (service "y") }}`, "", ""},
		{`[[ range service "redis" ]][[ end ]]`, "[[", "]]"},
		{`[[ service "redis" ]] {{ service "db" }}`, "[[", "]]"},
		{`%% service "a" %%`, "%%", "%%"},
		{`" service "x" "`, `"`, `"`},
		{`/* service "a" */`, "/*", "*/"},
	} {
		f.Add(seed.data, seed.left, seed.right)
	}
	f.Fuzz(func(t *testing.T, data, left, right string) {
		checkRefs(t, data, jobspec.TemplateRefs("d", data, left, right))
	})
}

// checkRefs checks the promises of TemplateRefs("d", data, …): never nil,
// sorted, deduplicated, sourced, and every Text found in the input (Go's
// template printer may respace a query, so compare without spaces).
func checkRefs(t *testing.T, data string, refs []model.Ref) {
	t.Helper()
	if refs == nil {
		t.Fatal("nil result")
	}
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for i, r := range refs {
		if r.Source != "template:d" || r.Target == "" {
			t.Fatalf("bad ref %+v", r)
		}
		if i > 0 && refs[i-1] == r {
			t.Fatalf("duplicate %+v", r)
		}
		if i > 0 && !refLess(refs[i-1], r) {
			t.Fatalf("not sorted: %+v before %+v", refs[i-1], r)
		}
		if !strings.Contains(squash(data), squash(r.Text)) {
			t.Fatalf("text %q not in input", r.Text)
		}
	}
}

// refLess is the order TemplateRefs promises: by Source, Kind, Target, Text.
func refLess(a, b model.Ref) bool {
	return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Target, b.Target), cmp.Compare(a.Text, b.Text)) < 0
}
