package nomad

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model/check"
)

// CheckFile is a job file to check, as `netviz check` and the dashboard's
// /check page have it.
type CheckFile struct {
	// Name names the file in Nomad's parse messages.
	Name string
	// HCL is the job file's text.
	HCL string
	// Variables is the content of a variables file: a --var-file's text
	// and VariablesHCL's lines.
	Variables string
	// Namespace is used when the file names none, as the nomad CLI uses
	// NOMAD_NAMESPACE.
	Namespace string
}

// NoPlan is Plan.Error when the check was asked not to plan: the
// dashboard without a viewer's token.
const NoPlan = "no Nomad token given for the plan"

// PrepareCheck is the Nomad half of a check, shared by the CLI and the
// dashboard: Nomad's own parse of the file through parser, the job
// converted for the check, and the scheduler's plan through planner. A nil
// planner plans nothing (Plan.Error is NoPlan): the report is then
// netviz's estimate. The clients may differ because the dashboard parses
// with the server's token but plans only with the viewer's.
func PrepareCheck(ctx context.Context, parser, planner *nomadapi.Client, f CheckFile) (check.Job, check.Plan, error) {
	parsed, err := ParseJob(ctx, parser, f.Name, f.HCL, f.Variables, f.Namespace)
	if err != nil {
		return check.Job{}, check.Plan{}, err
	}
	job, err := CheckJob(parsed)
	if err != nil {
		return check.Job{}, check.Plan{}, err
	}
	if planner == nil {
		return job, check.Plan{Error: NoPlan}, nil
	}
	return job, PlanJob(ctx, planner, parsed), nil
}

// VariablesHCL turns key=value pairs into lines of a variables file, each
// as key = "value" (a string, which HCL converts to the variable's
// declared type). A pair without "=" or whose key is not an HCL name is
// an error.
func VariablesHCL(pairs []string) (string, error) {
	var b strings.Builder
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if k = strings.TrimSpace(k); !ok || !identifier(k) {
			return "", fmt.Errorf("want key=value with an HCL name as key, got %q", kv)
		}
		fmt.Fprintf(&b, "%s = %s\n", k, hclString(v))
	}
	return b.String(), nil
}

// identifier reports whether k is an HCL identifier (a variable's name):
// a letter or underscore, then letters, digits, underscores or dashes. It
// keeps a key from writing anything but one assignment.
func identifier(k string) bool {
	for i, r := range k {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && (r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return k != ""
}

// hclString quotes s as an HCL string literal whose value is s exactly:
// template sequences are escaped so ${...} stays text.
func hclString(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}
