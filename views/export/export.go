package export

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"mime"
	"strings"

	"github.com/goccy/go-graphviz"

	"github.com/netviz/netviz/views/diagram"
)

// ParamFormat is the query parameter that asks a page for an export.
const ParamFormat = "format"

// Format is a kind of export.
type Format string

// The formats every page with a diagram or view offers.
const (
	FormatSVG     Format = "svg"
	FormatDOT     Format = "dot"
	FormatMermaid Format = "mermaid"
	FormatJSON    Format = "json"
)

// Formats lists them in the order download links show them.
var Formats = []Format{FormatSVG, FormatDOT, FormatMermaid, FormatJSON}

// ParseFormat reads a ?format= value.
func ParseFormat(s string) (Format, bool) {
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, true
		}
	}
	return "", false
}

// ContentType is the media type a format is served with.
func (f Format) ContentType() string {
	switch f {
	case FormatSVG:
		return "image/svg+xml"
	case FormatDOT:
		return "text/vnd.graphviz; charset=utf-8"
	case FormatMermaid:
		return "text/vnd.mermaid; charset=utf-8"
	}
	return "application/json"
}

// Ext is the file name extension of a format.
func (f Format) Ext() string {
	if f == FormatMermaid {
		return "mmd"
	}
	return string(f)
}

// Disposition is the Content-Disposition of a download of the view named
// stem: an attachment whose file name keeps only letters, digits, dots,
// dashes and underscores of it, so a hostile job or service name can
// neither break the header nor name a path.
func Disposition(stem string, f Format) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": FileName(stem, f)})
}

// maxStem bounds a file name's length before its extension.
const maxStem = 80

// FileName is the download's file name: "netviz-" and the sanitised stem.
func FileName(stem string, f Format) string {
	var b strings.Builder
	b.WriteString("netviz")
	dash := false
	for _, r := range "-" + stem {
		ok := r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.')
		switch {
		case ok && b.Len() < maxStem:
			b.WriteRune(r)
			dash = false
		case !ok && !dash && b.Len() < maxStem:
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-.")
	return name + "." + f.Ext()
}

// MaxDrawnBoxes bounds the boxes (nodes and clusters) of a view Graphviz
// lays out for an SVG export. Graphviz runs one call at a time for the
// whole process (package diagram), and cannot be interrupted: the whole
// model of 1,000 fake allocations (about 4,600 boxes) took 3.5 s, time in
// which no page's diagram could be laid out. The drawn pictures have their
// own bound (diagram.DefaultMaxBoxes, the same number).
const MaxDrawnBoxes = diagram.DefaultMaxBoxes

// ErrTooLarge is returned for an SVG of a view with more than
// MaxDrawnBoxes boxes.
var ErrTooLarge = errors.New("too large to draw")

// View is what a page exports: a drawn picture (its DOT and its SVG from
// package diagram) or a graph built from its view model.
type View struct {
	// Stem names the file (FileName sanitises it).
	Stem  string
	graph *Graph
	dot   func() (string, error)
	svg   func(context.Context) ([]byte, error)
}

// FromGraph is the View of a view model drawn as g.
func FromGraph(stem string, g Graph) View { return View{Stem: stem, graph: &g} }

// Render writes the view in format f (SVG, DOT or Mermaid; JSON is the
// page's API body, which the server has).
func (v View) Render(ctx context.Context, f Format) ([]byte, error) {
	switch f {
	case FormatDOT:
		return v.dotText()
	case FormatMermaid:
		g, err := v.asGraph(ctx)
		if err != nil {
			return nil, err
		}
		return []byte(g.Mermaid()), nil
	case FormatSVG:
		if v.svg != nil {
			pic, err := v.svg(ctx)
			if err != nil {
				return nil, err
			}
			return standalone(pic)
		}
		if n := len(v.graph.Nodes) + len(v.graph.Clusters); n > MaxDrawnBoxes {
			return nil, fmt.Errorf("%w: %d boxes, more than %d; narrow the view with the filter, or download dot or mermaid", ErrTooLarge, n, MaxDrawnBoxes)
		}
		dot, err := v.dotText()
		if err != nil {
			return nil, err
		}
		pic, err := graphvizSVG(ctx, string(dot))
		if err != nil {
			return nil, err
		}
		return standalone(pic)
	}
	return nil, fmt.Errorf("export: format %q is not a picture", f)
}

func (v View) dotText() ([]byte, error) {
	if v.graph != nil {
		return []byte(v.graph.DOT()), nil
	}
	dot, err := v.dot()
	return []byte(dot), err
}

func (v View) asGraph(ctx context.Context) (Graph, error) {
	if v.graph != nil {
		return *v.graph, nil
	}
	dot, err := v.dot()
	if err != nil {
		return Graph{}, err
	}
	return fromDOT(ctx, dot)
}

// graphvizSVG lays out and draws a view's DOT with Graphviz's own SVG
// renderer: the picture of a view the pages show as tables.
func graphvizSVG(ctx context.Context, dot string) ([]byte, error) {
	var out bytes.Buffer
	err := diagram.UseGraphviz(ctx, func(ctx context.Context, gv *graphviz.Graphviz) error {
		g, err := graphviz.ParseBytes([]byte(dot))
		if err != nil || g == nil {
			return fmt.Errorf("parse dot: %w", cmp.Or(err, errNoGraph))
		}
		defer g.Close()
		if err := gv.Render(ctx, g, graphviz.SVG, &out); err != nil {
			return fmt.Errorf("graphviz svg: %w", err)
		}
		return nil
	})
	return out.Bytes(), err
}
