package diagram

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// gvOutput is the part of Graphviz's json0 output the layout reads. Graphviz
// coordinates are in points with the y axis pointing up.
type gvOutput struct {
	BB      string     `json:"bb"`
	Objects []gvObject `json:"objects"`
	Edges   []gvEdge   `json:"edges"`
}

// gvObject is a cluster (has bb) or a node (has pos, width, height in inches).
type gvObject struct {
	Name    string `json:"name"`
	BB      string `json:"bb"`
	Pos     string `json:"pos"`
	Width   string `json:"width"`
	Height  string `json:"height"`
	LHeight string `json:"lheight"`
}

// gvEdge is an edge with its spline (pos) and label position (lp).
type gvEdge struct {
	ID  string `json:"id"`
	Pos string `json:"pos"`
	LP  string `json:"lp"`
}

func parseGV(data []byte) (*gvOutput, error) {
	var out gvOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("read graphviz json: %w", err)
	}
	return &out, nil
}

// floats parses a comma-separated list of numbers ("x,y" or "x0,y0,x1,y1").
func floats(s string) ([]float64, error) {
	parts := strings.Split(s, ",")
	out := make([]float64, 0, len(parts))
	for _, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("graphviz number %q: %w", p, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// inches parses a size in inches and returns points.
func inches(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f * 72
}

// spline is a parsed edge pos: an optional arrow end point and the cubic
// B-spline control points (1 + 3n of them).
type spline struct {
	points []pt
	end    *pt
}

type pt struct{ x, y float64 }

// parseSpline reads "e,x,y x,y x,y ..." (start "s," markers are skipped: the
// layout never asks for arrow tails). Multiple splines are separated by ';';
// only the first is used.
func parseSpline(s string) (spline, error) {
	var sp spline
	s, _, _ = strings.Cut(s, ";")
	for _, field := range strings.Fields(s) {
		switch {
		case strings.HasPrefix(field, "e,"):
			p, err := parsePoint(field[2:])
			if err != nil {
				return sp, err
			}
			sp.end = &p
		case strings.HasPrefix(field, "s,"):
		default:
			p, err := parsePoint(field)
			if err != nil {
				return sp, err
			}
			sp.points = append(sp.points, p)
		}
	}
	return sp, nil
}

// parsePoint reads "x,y".
func parsePoint(s string) (pt, error) {
	v, err := floats(s)
	if err != nil {
		return pt{}, err
	}
	if len(v) != 2 {
		return pt{}, fmt.Errorf("graphviz point %q: want 2 numbers", s)
	}
	return pt{v[0], v[1]}, nil
}
