package views

import (
	"context"
	"net/url"

	"github.com/netviz/netviz/views/export"
)

// hereKey carries a page request's own address (path and query) to the
// components that link to it.
type hereKey struct{}

// WithHere returns ctx carrying the address a page was asked for, so its
// download links and deep link keep every query parameter (filters, the
// reach question, anything later pages add) as the viewer had them.
func WithHere(ctx context.Context, requestURI string) context.Context {
	return context.WithValue(ctx, hereKey{}, requestURI)
}

// hereFrom is the page's own address, or "" outside a page request.
func hereFrom(ctx context.Context) string {
	s, _ := ctx.Value(hereKey{}).(string)
	return s
}

// exportLink is a download link: the text shown and where it points.
type exportLink struct {
	Format string
	Href   string
}

// exportRow is a line of download links for one view.
type exportRow struct {
	What  string
	Links []exportLink
}

// exportRows are the download links of the page at here: its own view
// in every format and, on the overview, the warnings and the whole model
// with the same query. The deep link is here without any format.
func exportRows(here string) (deep string, rows []exportRow) {
	u, err := url.Parse(here)
	if here == "" || err != nil || u.Scheme != "" || u.Host != "" {
		return "", nil
	}
	q := u.Query()
	q.Del(export.ParamFormat)
	// The path as asked, still escaped: an ID may hold a space or a %.
	path := u.EscapedPath()
	deep = withQuery(path, q)
	rows = append(rows, exportRow{What: "this view", Links: formatLinks(path, q)})
	if path == "/" {
		rows = append(rows,
			exportRow{What: "warnings", Links: formatLinks("/api/v1/warnings", q)},
			exportRow{What: "whole model", Links: formatLinks("/api/v1/graph", q)})
	}
	return deep, rows
}

// formatLinks links path with query q in every export format.
func formatLinks(path string, q url.Values) []exportLink {
	links := make([]exportLink, 0, len(export.Formats))
	for _, f := range export.Formats {
		fq := url.Values{}
		for k, v := range q {
			fq[k] = v
		}
		fq.Set(export.ParamFormat, string(f))
		links = append(links, exportLink{Format: string(f), Href: withQuery(path, fq)})
	}
	return links
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
