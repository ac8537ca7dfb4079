package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/collector/nomad"
	"github.com/netviz/netviz/web"
)

// webCheck is the dashboard's /check over the collector's Nomad client: it
// parses with the server's token and plans only with the viewer's, and
// turns the Nomad source's errors into the web's terms.
func webCheck(col *collector.Collector) web.CheckFunc {
	return func(ctx context.Context, r web.CheckRequest) (check.Job, check.Plan, error) {
		vars, err := nomad.VariablesHCL(r.Vars)
		if err != nil {
			return check.Job{}, check.Plan{}, &web.CheckParseError{Message: "variables: " + err.Error()}
		}
		job, plan, err := col.CheckJob(ctx, nomad.CheckFile{Name: r.Name, HCL: r.HCL, Variables: vars}, r.PlanToken)
		var pe *nomad.ParseError
		switch {
		case errors.As(err, &pe):
			return job, plan, &web.CheckParseError{Message: pe.Message}
		case errors.Is(err, nomad.ErrForbidden):
			return job, plan, web.ErrCheckForbidden
		case err != nil:
			return job, plan, fmt.Errorf("nomad: %w", err)
		}
		return job, plan, nil
	}
}
