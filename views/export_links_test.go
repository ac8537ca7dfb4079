package views

import (
	"context"
	"strings"
	"testing"
)

// TestExportLinksKeepAddress: the links keep the page's path escaped as
// asked and every query parameter, and replace only format.
func TestExportLinksKeepAddress(t *testing.T) {
	var b strings.Builder
	ctx := WithHere(context.Background(), "/services/a%20b%25c?q=x%26y&at=-15m&format=dot")
	if err := exportLinks().Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		`href="/services/a%20b%25c?at=-15m&amp;q=x%26y"`,
		`href="/services/a%20b%25c?at=-15m&amp;format=svg&amp;q=x%26y"`,
		`href="/services/a%20b%25c?at=-15m&amp;format=mermaid&amp;q=x%26y"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s in\n%s", want, html)
		}
	}
	b.Reset()
	if err := exportLinks().Render(context.Background(), &b); err != nil || b.Len() != 0 {
		t.Errorf("links outside a page request: %q, %v", b.String(), err)
	}
}
