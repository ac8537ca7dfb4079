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
// when the plan did not run: Unplanned then says why.
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

// Unplanned says why placement is netviz's own estimate when Nomad's plan
// did not run (the token may not plan the job, none was given, or the plan
// failed: Nomad's error) and what that estimate leaves out, as the CLI, the
// check page and the report's notes all say it; "" when the plan ran.
// Without the trailing period: the CLI prints it as a line, the page as a
// sentence.
func (p Plan) Unplanned() string {
	if p.Ran {
		return ""
	}
	why := p.Error
	if p.Forbidden {
		why = "the token may not plan this job"
	}
	if why != "" {
		why = " (" + why + ")"
	}
	return "Nomad's plan did not run" + why + ", so placement is netviz's estimate (static ports and host networks only; no constraints, CPU or memory)"
}
