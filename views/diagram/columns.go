package diagram

import (
	"cmp"
	"math"
	"slices"
)

// The scale view's graph is laid out in columns (Graphviz ranks) chosen
// here, so that it fills a window instead of one tall rank: dot puts every
// target of a fan in one rank, a column as tall as the fan. Each connected
// set of groups is layered on its own (a group sits right of the groups
// that reach it), its layers wrapped into columns of at most rows groups;
// the sets are then packed into a few columns as into shelves, each where
// it sits highest.

// Bounds of the graph, in points: about what a browser window shows.
const (
	graphHeight = 900
	graphWidth  = 1400
	// rankGap is the room between columns, where arrow labels go, and
	// rowGap between boxes in a column, as Graphviz spaces them.
	rankGap = 160
	rowGap  = 30
	maxRows = 16
)

// columns returns the graph's columns, left to right; box is the average
// group box size.
func columns(graph []*group, edges []*groupEdge, box Rect) [][]*group {
	index := map[groupKey]int{}
	for i, g := range graph {
		index[g.key] = i
	}
	out := make([][]int, len(graph))
	undirected := make([][]int, len(graph))
	for _, e := range edges {
		f, t := index[e.from], index[e.to]
		out[f] = append(out[f], t)
		undirected[f] = append(undirected[f], t)
		undirected[t] = append(undirected[t], f)
	}
	layer := layers(out)
	comps := components(undirected)
	// Try grids of 2 to 6 columns and 3 to maxRows rows; keep the one that
	// needs the least shrinking to fit a graphWidth × graphHeight window.
	// A grid that keeps every set's layers apart beats one that merges
	// some (whose arrows within a column are not drawn).
	var best [][]*group
	bestScale, bestMerged := math.Inf(1), true
	for maxCols := 2; maxCols <= 6; maxCols++ {
		for rows := 3; rows <= maxRows; rows++ {
			cols, merged, ok := pack(graph, comps, layer, rows, maxCols)
			if !ok {
				continue
			}
			tallest := 0
			for _, col := range cols {
				tallest = max(tallest, len(col))
			}
			w := float64(len(cols))*(box.W+rankGap) - rankGap
			h := float64(tallest) * (box.H + rowGap)
			scale := math.Max(w/graphWidth, h/graphHeight)
			if (bestMerged && !merged) || (merged == bestMerged && scale < bestScale-1e-9) {
				best, bestScale, bestMerged = cols, scale, merged
			}
			break // more rows only make it taller
		}
	}
	if best == nil {
		// Taller than a window, then: every set fits when they may all stack.
		best, _, _ = pack(graph, comps, layer, len(graph), 2)
	}
	return best
}

// layers gives each group its layer: the longest chain of arrows reaching
// it, arrows that close a cycle (found depth-first in rank order) left out.
func layers(out [][]int) []int {
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]int, len(out))
	var post []int // reverse topological order
	var visit func(int)
	visit = func(i int) {
		state[i] = onPath
		for _, j := range out[i] {
			if state[j] == unseen {
				visit(j)
			}
		}
		state[i] = done
		post = append(post, i)
	}
	for i := range out {
		if state[i] == unseen {
			visit(i)
		}
	}
	pos := make([]int, len(out))
	for p, i := range post {
		pos[i] = p
	}
	layer := make([]int, len(out))
	for k := len(post) - 1; k >= 0; k-- {
		i := post[k]
		for _, j := range out[i] {
			if pos[j] < pos[i] { // forward in topological order
				layer[j] = max(layer[j], layer[i]+1)
			}
		}
	}
	return layer
}

// components lists the connected sets of groups, each sorted, in the
// order of their first (highest ranked) group.
func components(adj [][]int) [][]int {
	seen := make([]bool, len(adj))
	var out [][]int
	for i := range adj {
		if seen[i] {
			continue
		}
		comp := []int{i}
		seen[i] = true
		for k := 0; k < len(comp); k++ {
			for _, j := range adj[comp[k]] {
				if !seen[j] {
					seen[j] = true
					comp = append(comp, j)
				}
			}
		}
		slices.Sort(comp)
		out = append(out, comp)
	}
	return out
}

// pack lays each connected set's layers into columns of at most rows
// groups and packs the sets into maxCols columns no taller than rows, or
// reports that they do not fit; merged reports a set whose layers had to
// share columns.
func pack(graph []*group, comps [][]int, layer []int, rows, maxCols int) (cols [][]*group, merged, ok bool) {
	var blocks [][][]*group
	for _, comp := range comps {
		bl, m := block(graph, comp, layer, rows, maxCols)
		blocks = append(blocks, bl)
		merged = merged || m
	}
	// Skyline packing: each set goes where it can sit highest, leftmost
	// first, in maxCols columns of rows.
	cols = make([][]*group, maxCols)
	fill := make([]int, maxCols)
	for _, bl := range blocks {
		w, h := len(bl), 0
		for _, col := range bl {
			h = max(h, len(col))
		}
		best, top := -1, rows
		for c := 0; c+w <= maxCols; c++ {
			t := slices.Max(fill[c : c+w])
			if t+h <= rows && t < top {
				best, top = c, t
			}
		}
		if best < 0 {
			return nil, merged, false
		}
		for k, col := range bl {
			cols[best+k] = append(cols[best+k], col...)
			fill[best+k] = top + h
		}
	}
	for len(cols) > 0 && len(cols[len(cols)-1]) == 0 {
		cols = cols[:len(cols)-1]
	}
	return cols, merged, true
}

// block lays one connected set out in columns: each layer in columns of at
// most rows groups; or, when that takes more than maxCols columns, the
// groups in layer order filling maxCols columns (arrows between layers that
// share a column then run within it).
func block(graph []*group, comp, layer []int, rows, maxCols int) (cols [][]*group, merged bool) {
	members := slices.Clone(comp)
	slices.SortStableFunc(members, func(i, j int) int { return cmp.Compare(layer[i], layer[j]) })
	chunk := func(in []int, per int) (cols [][]*group) {
		for len(in) > 0 {
			var col []*group
			for _, i := range in[:min(per, len(in))] {
				col = append(col, graph[i])
			}
			cols = append(cols, col)
			in = in[min(per, len(in)):]
		}
		return cols
	}
	for k := 0; k < len(members); {
		end := k
		for end < len(members) && layer[members[end]] == layer[members[k]] {
			end++
		}
		n := (end - k + rows - 1) / rows
		cols = append(cols, chunk(members[k:end], (end-k+n-1)/n)...)
		k = end
	}
	if len(cols) <= maxCols {
		return cols, false
	}
	return chunk(members, (len(members)+maxCols-1)/maxCols), true
}
