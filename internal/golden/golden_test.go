package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg = fmt.Sprintf(format, args...)
}

func TestAssert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	*update = true
	Assert(t, path, []byte("a\nb\n"))
	*update = false
	if b, err := os.ReadFile(path); err != nil || string(b) != "a\nb\n" {
		t.Fatalf("-update wrote %q, %v", b, err)
	}

	r := &recorder{TB: t}
	Assert(r, path, []byte("a\nb\n"))
	if r.failed {
		t.Error("equal output failed")
	}
	Assert(r, path, []byte("a\nc\n"))
	if !r.failed || !strings.Contains(r.msg, "line 2") {
		t.Errorf("differing output: failed %v, %q", r.failed, r.msg)
	}
}
