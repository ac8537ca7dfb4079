package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/collector/nomad"
)

// varFlags collects repeated --var k=v flags, in order.
type varFlags []string

func (v *varFlags) String() string { return strings.Join(*v, ",") }

func (v *varFlags) Set(s string) error {
	if k, _, ok := strings.Cut(s, "="); !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	*v = append(*v, s)
	return nil
}

// runCheck is `netviz check FILE`: exit 0 clean, 1 when the new version
// adds findings (or problems) at or above --severity, 2 on error.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f sourceFlags
	var vars varFlags
	var varFile, severity string
	var asJSON bool
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: netviz check [flags] FILE.nomad.hcl\n\nWhat the job would do to the network: Nomad's plan, port fit per node, the\nnetworking diff against the running version, the findings it adds or removes\nand the reach verdicts it changes. Exit 0 clean, 1 findings at or above\n--severity, 2 error. Nothing is registered.")
		fs.PrintDefaults()
	}
	f.register(fs)
	fs.Var(&vars, "var", "an HCL2 variable, key=value (repeatable)")
	fs.StringVar(&varFile, "var-file", "", "a file of HCL2 variable values")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON (docs/check.md)")
	fs.StringVar(&severity, "severity", "warning", "exit 1 when the job adds findings at or above this severity: info, warning or error")
	// Flags may follow the file too (`netviz check job.hcl --json`), as
	// with the nomad CLI: parse again after each positional argument.
	var files []string
	for {
		if err := parse(fs, args); err != nil {
			return exitError
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	min, err := parseSeverity(severity)
	if err != nil || len(files) != 1 {
		if err != nil {
			fmt.Fprintln(stderr, err)
		}
		fs.Usage()
		return exitError
	}
	rep, err := checkFile(ctx, &f, files[0], vars, varFile, stderr)
	if err != nil {
		var pe *nomad.ParseError
		if errors.As(err, &pe) {
			fmt.Fprintf(stderr, "netviz check: Nomad cannot parse the job: %s\n", pe.Message)
		} else {
			fmt.Fprintf(stderr, "netviz check: %v\n", err)
		}
		return exitError
	}
	if asJSON {
		err = writeJSON(stdout, rep)
	} else {
		_, err = io.WriteString(stdout, reportText(rep, min))
	}
	if err != nil {
		fmt.Fprintf(stderr, "netviz check: %v\n", err)
		return exitError
	}
	if rep.Fails(min) {
		return exitFinding
	}
	return exitOK
}

// checkFile parses the file with Nomad, plans it, reads the cluster once
// and checks the job against that snapshot.
func checkFile(ctx context.Context, f *sourceFlags, file string, vars []string, varFile string, stderr io.Writer) (check.Report, error) {
	hcl, err := os.ReadFile(file)
	if err != nil {
		return check.Report{}, err
	}
	variables, err := variablesFile(vars, varFile)
	if err != nil {
		return check.Report{}, err
	}
	cfg := nomadapi.DefaultConfig()
	client, err := nomadapi.NewClient(cfg)
	if err != nil {
		return check.Report{}, fmt.Errorf("nomad client: %w", err)
	}
	defer client.Close()
	job, plan, err := nomad.PrepareCheck(ctx, client, client, nomad.CheckFile{
		Name: filepath.Base(file), HCL: string(hcl), Variables: variables, Namespace: cfg.Namespace})
	if err != nil {
		return check.Report{}, err
	}
	snap, err := syncOnce(ctx, f, stderr)
	if err != nil {
		return check.Report{}, err
	}
	return check.Run(snap, job, plan), nil
}

// variablesFile builds the content of a variables file for Nomad's parser:
// the --var-file's text, then each --var as nomad.VariablesHCL writes it.
// A key in both is an error from Nomad's parser.
func variablesFile(vars []string, varFile string) (string, error) {
	var b strings.Builder
	if varFile != "" {
		content, err := os.ReadFile(varFile)
		if err != nil {
			return "", fmt.Errorf("--var-file: %w", err)
		}
		b.Write(content)
		b.WriteString("\n")
	}
	lines, err := nomad.VariablesHCL(vars)
	if err != nil {
		return "", fmt.Errorf("--var: %w", err)
	}
	b.WriteString(lines)
	return b.String(), nil
}

// reportText is the report for a terminal or a CI log.
func reportText(r check.Report, min model.Severity) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("job %s/%s (%s)", r.Job.Namespace, r.Job.ID, r.Job.Type)
	if r.Job.Running {
		p(", replacing running version %d\n", r.Job.RunningVersion)
	} else {
		p(", not running yet\n")
	}
	switch {
	case r.Plan.Ran:
		p("plan (Nomad's scheduler): %s\n", r.Plan.Summary())
		for _, f := range r.Plan.Failed {
			p("  failed placement of %s: %d allocation(s)\n", f.Group, f.Unplaced)
			for _, k := range sortedKeys(f.DimensionExhausted) {
				p("    dimension %q exhausted on %d node(s)\n", k, f.DimensionExhausted[k])
			}
			for _, k := range sortedKeys(f.ConstraintFiltered) {
				p("    constraint %q filtered %d node(s)\n", k, f.ConstraintFiltered[k])
			}
		}
	default:
		p("plan: ESTIMATE — %s\n", r.Plan.Unplanned())
	}
	for _, pl := range r.Placements {
		p("placement of %s: %d on [%s]", pl.Group, len(pl.Nodes), strings.Join(pl.Nodes, ", "))
		if pl.Unplaced > 0 {
			p(", %d fit nowhere", pl.Unplaced)
		}
		p("\n")
	}
	if len(r.PortFit) > 0 {
		p("\nport fit:\n")
		for _, f := range r.PortFit {
			p("  %s port %s (static %d): free on [%s]\n", f.Group, f.Label, f.Port, strings.Join(f.Free, ", "))
			for _, h := range f.Taken {
				p("    taken on %s\n", strings.TrimPrefix(h.String(), "node "))
			}
		}
	}
	for _, h := range r.HostNetworks {
		p("host_network %s of %s: on [%s], missing on [%s]\n", h.HostNetwork, h.Group, strings.Join(h.Nodes, ", "), strings.Join(h.Missing, ", "))
	}
	if len(r.Headroom) > 0 {
		p("\ndynamic port headroom:\n")
		for _, h := range r.Headroom {
			p("  %s (%d-%d): %d free now, %d after (this job takes %d)\n", h.Node, h.Min, h.Max, h.Free, h.After, h.Needed)
		}
	}
	p("\nnetworking diff: %s\n", r.Diff.Summary)
	for _, c := range r.Diff.Changes {
		switch c.Op {
		case check.OpAdded:
			p("  + %s: %s: %s\n", c.Group, c.Subject, c.After)
		case check.OpRemoved:
			p("  - %s: %s: %s\n", c.Group, c.Subject, c.Before)
		default:
			p("  ~ %s: %s: %s → %s\n", c.Group, c.Subject, c.Before, c.After)
		}
	}
	p("\npredicted findings: %d added, %d removed\n", len(r.Findings.Added), len(r.Findings.Removed))
	for _, w := range r.Findings.Added {
		p("  + %s [%s] %s\n    fix: %s\n", w.Severity, w.Code, w.Message, w.Fix)
	}
	for _, w := range r.Findings.Removed {
		p("  - %s [%s] %s\n", w.Severity, w.Code, w.Message)
	}
	if len(r.Reach) > 0 {
		p("\nreach changes:\n")
		for _, c := range r.Reach {
			p("  %s → %s: %s → %s\n", c.From, c.To, c.Before, c.After)
		}
	}
	if len(r.Problems) > 0 {
		p("\nproblems:\n")
		for _, w := range r.Problems {
			p("  %s [%s] %s\n    fix: %s\n", w.Severity, w.Code, w.Message, w.Fix)
		}
	}
	for _, n := range r.Notes {
		p("note: %s\n", n)
	}
	if r.Fails(min) {
		p("\nresult: FAIL (%s at or above %s)\n", r.Worst(), min)
	} else {
		p("\nresult: OK (nothing at or above %s)\n", min)
	}
	return b.String()
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
