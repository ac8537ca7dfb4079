package export

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// xmlHeader opens every exported SVG file.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// svgNS is the SVG namespace the root element must declare.
const svgNS = "http://www.w3.org/2000/svg"

// droppedElements never reach an exported file: they run code or load
// something from elsewhere. The pictures draw none of them; this is the
// second line of defence should a name ever get through as markup.
var droppedElements = map[string]bool{
	"script": true, "foreignobject": true, "iframe": true, "image": true,
	"audio": true, "video": true, "object": true, "embed": true,
}

// errNotSVG is returned when what was to be exported has no <svg> root.
var errNotSVG = errors.New("not an SVG picture")

// standalone turns an <svg> element (a page's inline picture, or
// Graphviz's own SVG) into a file that opens on its own: an XML
// declaration, the SVG namespace on the root, no DOCTYPE (whose DTD lives
// elsewhere), no comments, no scripts or event handlers, and no links
// (their targets are pages of the server, not of the file). The embedded
// <style> stays. The markup is read and written again token by token, so
// the output is well-formed XML whatever the input held.
func standalone(in []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(in))
	d.Strict = true
	var out bytes.Buffer
	out.WriteString(xmlHeader)
	depth, skip, roots := 0, 0, 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read svg: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if skip > 0 || droppedElements[strings.ToLower(t.Name.Local)] {
				skip++
				continue
			}
			if depth == 1 {
				if t.Name.Local != "svg" {
					return nil, errNotSVG
				}
				roots++
			}
			writeStart(&out, t, depth == 1)
		case xml.EndElement:
			depth--
			if skip > 0 {
				skip--
				continue
			}
			out.WriteString("</" + qname(t.Name) + ">")
		case xml.CharData:
			if skip == 0 && depth > 0 {
				out.WriteString(textEscaper.Replace(string(t)))
			}
		}
		// Comments, processing instructions and directives are dropped.
	}
	if roots != 1 {
		return nil, errNotSVG
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// writeStart writes a start tag without the attributes that could run or
// load anything, and with the SVG namespace on the root.
func writeStart(out *bytes.Buffer, t xml.StartElement, root bool) {
	out.WriteString("<" + qname(t.Name))
	hasNS := false
	for _, a := range t.Attr {
		name := strings.ToLower(qname(a.Name))
		switch {
		case name == "xmlns":
			hasNS = true
			a.Value = svgNS
		case strings.HasPrefix(name, "on"),
			// Links point at the server's pages; a url(#…) inside the
			// file is kept (markers, patterns).
			a.Name.Local == "href" && !strings.HasPrefix(a.Value, "#"),
			name == "style" && strings.Contains(strings.ToLower(a.Value), "url(") && !strings.Contains(a.Value, "url(#"):
			continue
		}
		out.WriteString(" " + qname(a.Name) + `="` + attrEscaper.Replace(a.Value) + `"`)
	}
	if root && !hasNS {
		out.WriteString(` xmlns="` + svgNS + `"`)
	}
	out.WriteString(">")
}

// Escapers of what the decoder unescaped: text keeps its line breaks, an
// attribute value its quotes escaped.
var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
)

// qname is a raw token's name as written: prefix:local.
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}
