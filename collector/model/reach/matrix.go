package reach

import (
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// MaxMatrixSize bounds a matrix window's rows and columns: a window costs
// at most MaxMatrixSize² cell searches, whatever the cluster's size (a
// thousand services would be a million cells).
const MaxMatrixSize = 25

// MatrixCell is one (from, to) pair of the reachability matrix.
type MatrixCell struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Verdict Verdict `json:"verdict"`
	// Via lists the kinds of the paths that carry the verdict (e.g. mesh,
	// host-port), sorted.
	Via    []string `json:"via"`
	Reason string   `json:"reason"`
}

// Window picks the part of the matrix to compute: rows from Row, columns
// from Col, at most Size of each (0 or more than MaxMatrixSize means
// MaxMatrixSize).
type Window struct {
	Row  int `json:"row"`
	Col  int `json:"col"`
	Size int `json:"size"`
}

// normal clamps the window to the services there are.
func (w Window) normal(n int) Window {
	if w.Size <= 0 || w.Size > MaxMatrixSize {
		w.Size = MaxMatrixSize
	}
	w.Row = min(max(w.Row, 0), max(n-1, 0))
	w.Col = min(max(w.Col, 0), max(n-1, 0))
	return w
}

// Matrix is who can reach whom among the declared services, computed for
// a window of rows and columns.
type Matrix struct {
	// Services are every service name, sorted: the full rows and columns.
	Services []string `json:"services"`
	// Window is the part computed; Rows and Cols are its service names.
	Window Window   `json:"window"`
	Rows   []string `json:"rows"`
	Cols   []string `json:"cols"`
	// Cells holds every pair of Rows × Cols but a service with itself,
	// row by row.
	Cells []MatrixCell `json:"cells"`
}

// Cell returns the cell for (from, to), if the window holds it.
func (m Matrix) Cell(from, to string) (MatrixCell, bool) {
	i, ok := slices.BinarySearchFunc(m.Cells, [2]string{from, to}, func(c MatrixCell, k [2]string) int {
		return strings.Compare(c.From+"\x00"+c.To, k[0]+"\x00"+k[1])
	})
	if !ok {
		return MatrixCell{}, false
	}
	return m.Cells[i], true
}

// matrixKey keys a window's matrix in the snapshot's data memo. The
// verdicts read Consul's state (are intentions known, is the catalog
// connected), so the key holds it: a status change that flips it computes
// anew, any other status change reuses the window.
type matrixKey struct {
	w         Window
	consul    string
	intention bool
}

// MatrixOf answers Reach for every ordered pair of services in the window
// (sidecar proxies are part of their service, not rows). A cell stops at
// the first pair of allocations with a reachable path, so its Via lists the
// ways that pair has; ask Reach for all paths. The result is kept for the
// snapshot and the snapshots after it whose data is the same.
func MatrixOf(s *model.Snapshot, w Window) Matrix {
	key := matrixKey{w: w, consul: s.Status().Consul.State, intention: s.IntentionsKnown()}
	return s.DataMemo(key, func() any { return matrixOf(s, w) }).(Matrix)
}

func matrixOf(s *model.Snapshot, w Window) Matrix {
	ends := endpointsByService(s)
	m := Matrix{Services: []string{}, Rows: []string{}, Cols: []string{}, Cells: []MatrixCell{}}
	for name := range ends {
		m.Services = append(m.Services, name)
	}
	slices.Sort(m.Services)
	m.Window = w.normal(len(m.Services))
	if len(m.Services) > 0 {
		m.Rows = m.Services[m.Window.Row:min(m.Window.Row+m.Window.Size, len(m.Services))]
		m.Cols = m.Services[m.Window.Col:min(m.Window.Col+m.Window.Size, len(m.Services))]
	}
	for _, from := range m.Rows {
		for _, to := range m.Cols {
			if from == to {
				continue
			}
			res := answer(s, from, to, ends[from], ends[to], true)
			cell := MatrixCell{From: from, To: to, Verdict: res.Verdict, Via: []string{}, Reason: res.Reason}
			for _, p := range res.Paths {
				if p.Verdict == res.Verdict && !slices.Contains(cell.Via, p.Kind) {
					cell.Via = append(cell.Via, p.Kind)
				}
			}
			slices.Sort(cell.Via)
			m.Cells = append(m.Cells, cell)
		}
	}
	return m
}

// endpointsByService gathers each declared service's live allocations.
func endpointsByService(s *model.Snapshot) map[string]endpoint {
	ends := map[string]endpoint{}
	for _, a := range s.Allocations() {
		if !a.Live() {
			continue
		}
		for _, spec := range a.Services {
			if strings.HasSuffix(spec.Name, "-sidecar-proxy") {
				continue
			}
			e := ends[spec.Name]
			e.service = spec.Name
			// An allocation declaring the service twice comes twice in a row.
			if n := len(e.allocs); n == 0 || e.allocs[n-1] != a {
				e.allocs = append(e.allocs, a)
			}
			ends[spec.Name] = e
		}
	}
	return ends
}
