// Package exportcheck says whether netviz's exports are what their
// languages accept, for the tests of package export, of the web server
// and against the real cluster: DOT parsed by Graphviz's own parser (the
// go-graphviz netviz lays out with), Mermaid checked statement by
// statement against what the writer may emit, SVG read as strict XML
// that must stand alone.
package exportcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/goccy/go-graphviz"

	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/export"
)

// DOT parses dot with Graphviz and fails a graph whose structure a name
// could have reached.
func DOT(dot []byte) error {
	err := diagram.UseGraphviz(context.Background(), func(context.Context, *graphviz.Graphviz) error {
		g, err := graphviz.ParseBytes(dot)
		if err != nil {
			return err
		}
		if g == nil {
			return errors.New("no graph")
		}
		return g.Close()
	})
	if err != nil {
		return fmt.Errorf("DOT does not parse: %w", err)
	}
	if !bytes.HasPrefix(dot, []byte("digraph netviz {")) || bytes.Count(dot, []byte("digraph")) != 1 {
		return errors.New("DOT is not one netviz digraph")
	}
	return nil
}

// Mermaid's statements as the writer emits them: identifiers generated,
// quoted labels of safe characters, entities and line breaks only.
var (
	mmLabel     = `"(?:[A-Za-z0-9 .,:/\-_=+@!?]|#[0-9]+;|<br/>)*"`
	mmStatement = regexp.MustCompile(`^\s*(?:flowchart LR|end|` +
		`subgraph c[0-9]+\[` + mmLabel + `\]|` +
		`(?:n[0-9]+|c[0-9]+e|empty)\[` + mmLabel + `\](?::::[a-z]+)?|` +
		`n[0-9]+ (?:-->|-\.->)(?:\|` + mmLabel + `\|)? n[0-9]+|` +
		`linkStyle [0-9]+ [a-z:#0-9,]+|` +
		`style c[0-9]+ [a-z:#0-9, -]+|` +
		`classDef [a-z]+ [a-z:#0-9, -]+)$`)
)

// Mermaid checks a flowchart line by line: a leading comment, then only
// statements the writer makes, every subgraph closed.
func Mermaid(mm []byte) error {
	lines := strings.Split(strings.TrimSuffix(string(mm), "\n"), "\n")
	depth, start := 0, false
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case i == 0 && strings.HasPrefix(line, "%% netviz: "):
			continue
		case !mmStatement.MatchString(line):
			return fmt.Errorf("mermaid line %d is not a statement the writer makes: %q", i+1, line)
		case trimmed == "flowchart LR":
			start = true
		case strings.HasPrefix(trimmed, "subgraph "):
			depth++
		case trimmed == "end":
			depth--
		}
		if depth < 0 {
			return fmt.Errorf("mermaid line %d closes a subgraph never opened", i+1)
		}
	}
	if !start {
		return errors.New("mermaid has no flowchart header")
	}
	if depth != 0 {
		return fmt.Errorf("mermaid leaves %d subgraphs open", depth)
	}
	return nil
}

// SVG checks an SVG file stands alone: an XML declaration, well-formed,
// one <svg> root in the SVG namespace, no DOCTYPE, script, event
// handler, foreign object, image or link out of the file.
func SVG(svg []byte) error {
	if !bytes.HasPrefix(svg, []byte(`<?xml version="1.0" encoding="UTF-8"`)) {
		return errors.New("svg has no XML declaration")
	}
	if bytes.Contains(bytes.ToLower(svg), []byte("<script")) {
		return errors.New("svg holds <script")
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("svg is not well-formed XML: %w", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				roots++
				if e.Name.Local != "svg" || e.Name.Space != "http://www.w3.org/2000/svg" {
					return fmt.Errorf("svg root is %v", e.Name)
				}
			}
			switch strings.ToLower(e.Name.Local) {
			case "script", "foreignobject", "iframe", "image":
				return fmt.Errorf("svg holds <%s>", e.Name.Local)
			}
			for _, a := range e.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") ||
					a.Name.Local == "href" && !strings.HasPrefix(a.Value, "#") {
					return fmt.Errorf("svg has %s=%q", a.Name.Local, a.Value)
				}
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return fmt.Errorf("svg has <!%s>", e)
		}
	}
	if roots != 1 {
		return fmt.Errorf("svg has %d root elements", roots)
	}
	return nil
}

// Check checks a file of format f (svg, dot or mermaid; json must decode).
func Check(f export.Format, body []byte) error {
	switch f {
	case export.FormatSVG:
		return SVG(body)
	case export.FormatDOT:
		return DOT(body)
	case export.FormatMermaid:
		return Mermaid(body)
	}
	var v any
	return json.Unmarshal(body, &v)
}
