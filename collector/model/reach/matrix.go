package reach

import (
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

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

// Matrix is who can reach whom among the declared services.
type Matrix struct {
	// Services are the row and column names, sorted.
	Services []string `json:"services"`
	// Cells holds every ordered pair of distinct services, row by row.
	Cells []MatrixCell `json:"cells"`
}

// Cell returns the cell for (from, to), if both are in the matrix.
func (m Matrix) Cell(from, to string) (MatrixCell, bool) {
	i, ok1 := slices.BinarySearch(m.Services, from)
	j, ok2 := slices.BinarySearch(m.Services, to)
	if !ok1 || !ok2 || i == j {
		return MatrixCell{}, false
	}
	n := len(m.Services) - 1
	k := i*n + j
	if j > i {
		k--
	}
	return m.Cells[k], true
}

// ReachMatrix answers Reach for every ordered pair of services that live
// allocations declare (sidecar proxies are part of their service, not rows).
// A cell stops at the first pair of allocations with a reachable path, so
// its Via lists the ways that pair has; ask Reach for all paths.
func MatrixOf(s *model.Snapshot) Matrix {
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
			if !slices.Contains(e.allocs, a) {
				e.allocs = append(e.allocs, a)
			}
			ends[spec.Name] = e
		}
	}
	m := Matrix{Services: []string{}, Cells: []MatrixCell{}}
	for name := range ends {
		m.Services = append(m.Services, name)
	}
	slices.Sort(m.Services)
	for _, from := range m.Services {
		for _, to := range m.Services {
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
