//go:build demo

package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/netviz/netviz/collector/agent"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
	"github.com/netviz/netviz/web"
)

// demoObserve turns the demo server's ingest on with a fresh secret, so
// the demo's own agent (startDemoAgent) can report to it.
func demoObserve(apply func(...model.Change) *model.Snapshot, window time.Duration) web.ObserveOptions {
	return web.ObserveOptions{Apply: apply, Secret: rand.Text(), Window: window}
}

// startDemoAgent runs `netviz agent` in this process for the demo
// cluster's node, reporting to url until ctx ends: the example apps'
// traffic then shows as observed edges without any setup.
func startDemoAgent(ctx context.Context, c *devcluster.Cluster, url string, o web.ObserveOptions, log *slog.Logger) {
	ncfg, _ := c.APIConfigs()
	a, err := agent.New(agent.Config{Server: url, Secret: o.Secret, Nomad: ncfg, Log: log})
	if err != nil {
		log.Warn("demo agent", "err", err)
		return
	}
	go a.Run(ctx)
}
