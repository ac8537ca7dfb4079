package check

import "testing"

// TestPlanSummary: the one line the CLI and the check page both print for
// Nomad's plan: its verdict, then each group's non-zero actions.
func TestPlanSummary(t *testing.T) {
	for _, c := range []struct {
		plan Plan
		want string
	}{
		{Plan{Ran: true, DiffType: "Added"}, "Added"},
		{Plan{Ran: true, DiffType: "Edited", Updates: []GroupUpdate{{Group: "web", Place: 1, DestructiveUpdate: 2}, {Group: "db", Ignore: 1}}},
			"Edited; web: place 1, destructive update 2; db: ignore 1"},
		{Plan{Forbidden: true, DiffType: "Added"}, ""},
	} {
		if got := c.plan.Summary(); got != c.want {
			t.Errorf("%+v: Summary() = %q, want %q", c.plan, got, c.want)
		}
	}
}
