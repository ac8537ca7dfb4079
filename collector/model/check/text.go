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

// Summary is the scheduler's answer in a line, as the CLI and the check
// page both print it: Nomad's verdict on the job, then what it would do to
// each group ("Edited; web: place 1; db: destructive update 2"). It is empty
// when the plan did not run: the reason then is the caller's to word.
func (p Plan) Summary() string {
	if !p.Ran {
		return ""
	}
	s := p.DiffType
	for _, u := range p.Updates {
		s += "; " + u.Group + ": " + u.Actions()
	}
	return s
}
