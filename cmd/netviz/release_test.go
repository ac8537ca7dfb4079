package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// devclusterSymbol is the import path prefix of the demo's cluster code in
// a binary's symbol table.
const devclusterSymbol = "github.com/netviz/netviz/internal/devcluster."

// symbols builds ./ (this command) with the given tags and returns its
// symbol table as `go tool nm` prints it.
func symbols(t *testing.T, tags string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "netviz")
	build := exec.Command("go", "build", "-tags", tags, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags %q: %v\n%s", tags, err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool nm: %v\n%s", err, out)
	}
	return string(out)
}

// TestReleaseBinaryHasNoDevcluster: `go build ./cmd/netviz` links none of
// the demo's root-only cluster code; the demo build does (so the check
// would see it).
func TestReleaseBinaryHasNoDevcluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary twice")
	}
	if n := strings.Count(symbols(t, ""), devclusterSymbol); n != 0 {
		t.Errorf("release binary holds %d devcluster symbols", n)
	}
	if n := strings.Count(symbols(t, "demo"), devclusterSymbol); n == 0 {
		t.Errorf("demo binary holds no devcluster symbols: the check cannot see them")
	}
}
