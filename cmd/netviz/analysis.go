package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
	"github.com/netviz/netviz/collector/model/reach"
)

// Exit codes of the analysis commands, for scripts and CI.
const (
	exitOK      = 0 // reachable / no finding at or above the severity
	exitFinding = 1 // not reachable / findings at or above the severity
	exitError   = 2 // usage, or the cluster could not be read
)

// runAnalysis runs the analysis commands (reach, lint); ok is false for a
// command it does not know.
func runAnalysis(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	var err error
	switch cmd {
	case "reach":
		code, err = runReach(ctx, args, stdout, stderr)
	case "lint":
		code, err = runLint(ctx, args, stdout, stderr)
	default:
		return 0, false
	}
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "netviz %s: %v\n", cmd, err)
		}
		return exitError, true
	}
	return code, true
}

// syncOnce reads the cluster once, like `netviz dump`.
func syncOnce(ctx context.Context, f *sourceFlags, stderr io.Writer) (*model.Snapshot, error) {
	col, _, err := f.open(stderr)
	if err != nil {
		return nil, err
	}
	defer col.Close()
	if err := col.Sync(ctx); err != nil {
		return nil, err
	}
	return col.Store().Snapshot(), nil
}

func runReach(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	var f sourceFlags
	var asJSON bool
	fs := flag.NewFlagSet("reach", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: netviz reach [flags] FROM TO\n\nFROM and TO: a service name, job/group, namespace/job/group or an allocation ID prefix;\nFROM may also be \"host\" or \"external\". Exit 0 reachable, 1 not, 2 error.")
		fs.PrintDefaults()
	}
	f.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 0, errUsage
	}
	snap, err := syncOnce(ctx, &f, stderr)
	if err != nil {
		return 0, err
	}
	res, err := reach.Between(snap, fs.Arg(0), fs.Arg(1))
	if err != nil {
		return 0, err
	}
	if asJSON {
		err = writeJSON(stdout, res)
	} else {
		err = printReach(stdout, res)
	}
	if err != nil {
		return 0, err
	}
	if res.Verdict == reach.VerdictReachable {
		return exitOK, nil
	}
	return exitFinding, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return nil
}

// printReach writes the verdict, the reason, and each path as a chain of hops.
func printReach(w io.Writer, r reach.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s → %s: %s\n%s\n", r.From, r.To, strings.ToUpper(string(r.Verdict)), r.Reason)
	for i, p := range r.Paths {
		fmt.Fprintf(&b, "\npath %d (%s, %s)", i+1, p.Kind, p.Verdict)
		if p.Address != "" {
			fmt.Fprintf(&b, " dial %s", p.Address)
		}
		b.WriteString("\n")
		for j, h := range p.Hops {
			mark := "  "
			if h.Blocked {
				mark = "✗ "
			}
			arrow := "→ "
			if j == 0 {
				arrow = "  "
			}
			fmt.Fprintf(&b, "  %s%s%s: %s\n", mark, arrow, h.Kind, h.Label)
		}
		fmt.Fprintf(&b, "  %s\n", p.Reason)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(&b, "\n%s [%s] %s\n  fix: %s\n", wn.Severity, wn.Code, wn.Message, wn.Fix)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func runLint(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	var f sourceFlags
	var asJSON bool
	var severity string
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print the findings as JSON")
	fs.StringVar(&severity, "severity", "warning", "exit 1 when findings at or above this severity exist: info, warning or error")
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	min, err := parseSeverity(severity)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 0, errUsage
	}
	snap, err := syncOnce(ctx, &f, stderr)
	if err != nil {
		return 0, err
	}
	warnings := lint.Warnings(snap)
	code := exitOK
	for _, w := range warnings {
		if atLeast(w.Severity, min) {
			code = exitFinding
		}
	}
	if asJSON {
		return code, writeJSON(stdout, warnings)
	}
	var b strings.Builder
	for _, w := range warnings {
		fmt.Fprintf(&b, "%s [%s] %s\n  subjects: %s\n  fix: %s\n", w.Severity, w.Code, w.Message, strings.Join(w.Subjects, " "), w.Fix)
	}
	fmt.Fprintf(&b, "%d finding(s)\n", len(warnings))
	_, err = io.WriteString(stdout, b.String())
	return code, err
}

// parseSeverity reads a --severity value.
func parseSeverity(s string) (model.Severity, error) {
	switch sv := model.Severity(s); sv {
	case model.SeverityInfo, model.SeverityWarning, model.SeverityError:
		return sv, nil
	}
	return "", fmt.Errorf("--severity %q: want info, warning or error", s)
}

// atLeast reports whether s is as serious as min or more.
func atLeast(s, min model.Severity) bool { return s.AtLeast(min) }
