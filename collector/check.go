package collector

import (
	"context"
	"fmt"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/collector/nomad"
)

// CheckJob is the Nomad half of the dashboard's job check: Nomad's own
// parse of the file with the collector's client (parsing needs the
// namespace's parse-job capability, which Nomad's read policy grants), and
// the scheduler's plan with planToken only, never the collector's token.
// An empty planToken plans nothing: the report is then netviz's estimate.
// Nothing is registered or kept.
func (c *Collector) CheckJob(ctx context.Context, f nomad.CheckFile, planToken string) (check.Job, check.Plan, error) {
	if f.Namespace == "" {
		f.Namespace = c.nomadCfg.Namespace
	}
	var planner *nomadapi.Client
	if planToken != "" {
		cfg := c.nomadCfg
		cfg.SecretID = planToken
		// A client of its own: nothing of the viewer's token outlives the
		// check in a shared client, and the collector's counted transport
		// does not count the viewer's calls.
		cfg.HttpClient = nil
		pc, err := nomadapi.NewClient(&cfg)
		if err != nil {
			return check.Job{}, check.Plan{}, fmt.Errorf("nomad client: %w", err)
		}
		defer pc.Close()
		planner = pc
	}
	return nomad.PrepareCheck(ctx, c.nomadClient, planner, f)
}
