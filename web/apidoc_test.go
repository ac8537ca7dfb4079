package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// apiDoc is the JSON API's documentation, checked against the code here.
const apiDoc = "../docs/api.md"

// documentedTypes are the bodies and rows docs/api.md describes, by the
// name its "Body:" and "Type:" lines give them. Every one must have a key
// table, and every key table a type here.
var documentedTypes = map[string]reflect.Type{
	"viewmodel.Overview":       reflect.TypeFor[viewmodel.Overview](),
	"viewmodel.Topology":       reflect.TypeFor[viewmodel.Topology](),
	"viewmodel.AllocationView": reflect.TypeFor[viewmodel.AllocationView](),
	"viewmodel.Candidates":     reflect.TypeFor[viewmodel.Candidates](),
	"viewmodel.NodeView":       reflect.TypeFor[viewmodel.NodeView](),
	"viewmodel.ServiceList":    reflect.TypeFor[viewmodel.ServiceList](),
	"viewmodel.ServiceView":    reflect.TypeFor[viewmodel.ServiceView](),
	"viewmodel.ReachView":      reflect.TypeFor[viewmodel.ReachView](),
	"viewmodel.WarningRow":     reflect.TypeFor[viewmodel.WarningRow](),
	"viewmodel.Filter":         reflect.TypeFor[viewmodel.Filter](),
	"viewmodel.Link":           reflect.TypeFor[viewmodel.Link](),
	"viewmodel.Count":          reflect.TypeFor[viewmodel.Count](),
	"viewmodel.JobRef":         reflect.TypeFor[viewmodel.JobRef](),
	"viewmodel.EdgeRow":        reflect.TypeFor[viewmodel.EdgeRow](),
	"viewmodel.PortRow":        reflect.TypeFor[viewmodel.PortRow](),
	"viewmodel.UpstreamRow":    reflect.TypeFor[viewmodel.UpstreamRow](),
	"viewmodel.NodePort":       reflect.TypeFor[viewmodel.NodePort](),
	"viewmodel.PortRange":      reflect.TypeFor[viewmodel.PortRange](),
	"viewmodel.NodeSummary":    reflect.TypeFor[viewmodel.NodeSummary](),
	"viewmodel.Ledger":         reflect.TypeFor[viewmodel.Ledger](),
	"viewmodel.ServiceSummary": reflect.TypeFor[viewmodel.ServiceSummary](),
	"viewmodel.GroupRow":       reflect.TypeFor[viewmodel.GroupRow](),
	"viewmodel.HopRow":         reflect.TypeFor[viewmodel.HopRow](),
	"viewmodel.Timeline":       reflect.TypeFor[viewmodel.Timeline](),
	"viewmodel.TimelineQuery":  reflect.TypeFor[viewmodel.TimelineQuery](),
	"viewmodel.TimelineEntry":  reflect.TypeFor[viewmodel.TimelineEntry](),
	"viewmodel.Diff":           reflect.TypeFor[viewmodel.Diff](),
	"reach.Result":             reflect.TypeFor[reach.Result](),
	"reach.Matrix":             reflect.TypeFor[reach.Matrix](),
	"reach.MatrixCell":         reflect.TypeFor[reach.MatrixCell](),
	"error":                    reflect.TypeFor[errorBody](),
	"health":                   reflect.TypeFor[health](),
	"readiness":                reflect.TypeFor[readiness](),
	"sourceReadiness":          reflect.TypeFor[sourceReadiness](),
}

// docExample is a request shown in docs/api.md with its response.
type docExample struct {
	line   int
	path   string
	status int
	body   string
}

// parseAPIDoc reads the key tables (type name → keys in order) and the
// examples of docs/api.md.
func parseAPIDoc(t *testing.T) (map[string][]string, []docExample) {
	t.Helper()
	f, err := os.Open(apiDoc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		typeLine = regexp.MustCompile("^(?:Body|Type):[^`]*`([\\w.]+)`")
		keyRow   = regexp.MustCompile("^\\| `([a-z_]+)` \\|")
		example  = regexp.MustCompile("^Example: `GET ([^`]+)` → (\\d{3})")
	)
	tables := map[string][]string{}
	var (
		examples []docExample
		table    string // the type whose table is being read
		ex       *docExample
		inJSON   bool
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case inJSON && line == "```":
			examples = append(examples, *ex)
			ex, inJSON = nil, false
		case inJSON:
			ex.body += line + "\n"
		case ex != nil && line == "```json":
			inJSON = true
		case typeLine.MatchString(line):
			table = typeLine.FindStringSubmatch(line)[1]
			if _, dup := tables[table]; dup {
				t.Errorf("%s:%d: %s has a second key table", apiDoc, n, table)
			}
			tables[table] = nil
		case table != "" && keyRow.MatchString(line):
			tables[table] = append(tables[table], keyRow.FindStringSubmatch(line)[1])
		case table != "" && len(tables[table]) > 0 && !strings.HasPrefix(line, "|"):
			table = ""
		case example.MatchString(line):
			m := example.FindStringSubmatch(line)
			status, _ := strconv.Atoi(m[2])
			ex = &docExample{line: n, path: m[1], status: status}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return tables, examples
}

// jsonKeys lists the keys encoding/json writes for a struct type, in order,
// flattening embedded structs.
func jsonKeys(typ reflect.Type) []string {
	var keys []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-", !f.IsExported() && !f.Anonymous:
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			keys = append(keys, jsonKeys(f.Type)...)
		case name != "":
			keys = append(keys, name)
		default:
			keys = append(keys, f.Name)
		}
	}
	return keys
}

// TestAPIDocKeys: every key table of docs/api.md lists exactly the keys its
// type encodes, in order, and every documented type has its table.
func TestAPIDocKeys(t *testing.T) {
	tables, _ := parseAPIDoc(t)
	for name, typ := range documentedTypes {
		keys, ok := tables[name]
		if !ok {
			t.Errorf("%s: no key table for %s", apiDoc, name)
			continue
		}
		if want := jsonKeys(typ); !slices.Equal(keys, want) {
			t.Errorf("%s: %s lists keys %v; the code encodes %v", apiDoc, name, keys, want)
		}
	}
	for name := range tables {
		if _, ok := documentedTypes[name]; !ok {
			t.Errorf("%s: key table for %s, a type this test does not know", apiDoc, name)
		}
	}
}

// TestAPIDocExamples: each example of docs/api.md is what the server
// answers on the fixture cluster, with the same status. An example may be
// shortened: objects may leave keys out (not at the top level) and lists may
// stop early, but whatever it shows must be in the answer as shown.
func TestAPIDocExamples(t *testing.T) {
	st := model.NewStore()
	st.Apply(fixture.Cluster()...)
	ts := httptest.NewServer(New(st, Options{}).Handler())
	defer ts.Close()

	_, examples := parseAPIDoc(t)
	if len(examples) < 10 {
		t.Fatalf("%s has %d examples; the parser is out of step with it", apiDoc, len(examples))
	}
	for _, ex := range examples {
		t.Run(ex.path, func(t *testing.T) {
			resp, err := http.Get(ts.URL + ex.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != ex.status {
				t.Errorf("%s:%d: status %d, the example says %d", apiDoc, ex.line, resp.StatusCode, ex.status)
			}
			var want, got any
			if err := json.Unmarshal([]byte(ex.body), &want); err != nil {
				t.Fatalf("%s:%d: the example is not JSON: %v", apiDoc, ex.line, err)
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if w, ok := want.(map[string]any); ok {
				if g, ok := got.(map[string]any); ok && !slices.Equal(sortedKeys(w), sortedKeys(g)) {
					t.Errorf("%s:%d: top-level keys %v, the answer has %v", apiDoc, ex.line, sortedKeys(w), sortedKeys(g))
				}
			}
			if err := shownIn(want, got, "$"); err != nil {
				t.Errorf("%s:%d: %v", apiDoc, ex.line, err)
			}
		})
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// shownIn reports where an example value is not part of the real one.
func shownIn(ex, real any, at string) error {
	switch e := ex.(type) {
	case map[string]any:
		r, ok := real.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: the example has an object, the answer %v", at, real)
		}
		for k, v := range e {
			rv, ok := r[k]
			if !ok {
				return fmt.Errorf("%s.%s: not in the answer", at, k)
			}
			if err := shownIn(v, rv, at+"."+k); err != nil {
				return err
			}
		}
	case []any:
		r, ok := real.([]any)
		if !ok || len(e) > len(r) {
			return fmt.Errorf("%s: the example has %d items, the answer %v", at, len(e), real)
		}
		for i, v := range e {
			if err := shownIn(v, r[i], at+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	default:
		if !reflect.DeepEqual(ex, real) {
			return fmt.Errorf("%s: the example has %v, the answer %v", at, ex, real)
		}
	}
	return nil
}
