package check

import (
	"fmt"
	"strings"
)

// Actions is what the scheduler would do to the group, in words: "place
// 2, destructive update 1" (only the non-zero counts).
func (u GroupUpdate) Actions() string {
	var parts []string
	for _, c := range []struct {
		what string
		n    uint64
	}{{"place", u.Place}, {"in-place update", u.InPlaceUpdate}, {"destructive update", u.DestructiveUpdate}, {"stop", u.Stop}, {"ignore", u.Ignore}, {"canary", u.Canary}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.what, c.n))
		}
	}
	return strings.Join(parts, ", ")
}
