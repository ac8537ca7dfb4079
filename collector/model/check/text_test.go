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

// TestPlanUnplanned: the one wording the CLI and the check page
// give when Nomad's plan did not run, with its reason.
func TestPlanUnplanned(t *testing.T) {
	const rest = ", so placement is netviz's estimate (static ports and host networks only; no constraints, CPU or memory)"
	for _, c := range []struct {
		plan Plan
		want string
	}{
		{Plan{Ran: true, DiffType: "Added"}, ""},
		{Plan{Forbidden: true, Error: "Unexpected response code: 403 (Permission denied)"}, "Nomad's plan did not run (the token may not plan this job)" + rest},
		{Plan{Error: "no Nomad token given for the plan"}, "Nomad's plan did not run (no Nomad token given for the plan)" + rest},
		{Plan{}, "Nomad's plan did not run" + rest},
	} {
		if got := c.plan.Unplanned(); got != c.want {
			t.Errorf("%+v: Unplanned() = %q, want %q", c.plan, got, c.want)
		}
	}
}
