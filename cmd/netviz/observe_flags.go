package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/web"
)

// observeFlags are the server's side of `netviz agent`: who may report
// observed connections and how long they stay.
type observeFlags struct {
	agentSecretFile string
	observedWindow  time.Duration
}

func (f *observeFlags) registerObserve(fs *flag.FlagSet) {
	fs.StringVar(&f.agentSecretFile, "agent-secret-file", envOr("NETVIZ_AGENT_SECRET_FILE", ""),
		"accept observed connections from agents that send the secret in this file (or in NETVIZ_AGENT_SECRET); with --tls-client-ca, agents' client certificates are accepted too (env NETVIZ_AGENT_SECRET_FILE)")
	fs.DurationVar(&f.observedWindow, "observed-window", envDuration("NETVIZ_OBSERVED_WINDOW", web.DefaultObservedWindow),
		"forget an observed connection not seen again for this long (env NETVIZ_OBSERVED_WINDOW)")
}

// observeOptions turns the ingest on when agents can authenticate: a
// secret, or client certificates the TLS handshake verifies.
func (f *observeFlags) observeOptions(apply func(...model.Change) *model.Snapshot, clientCerts bool) (web.ObserveOptions, error) {
	if f.observedWindow <= 0 {
		return web.ObserveOptions{}, fmt.Errorf("%w: --observed-window must be positive", errUsage)
	}
	secret, err := agentSecret(f.agentSecretFile)
	if err != nil {
		return web.ObserveOptions{}, err
	}
	secret = strings.TrimSpace(secret)
	if secret == "" && !clientCerts {
		return web.ObserveOptions{}, nil
	}
	if secret != "" && len(secret) < 16 {
		fmt.Fprintln(os.Stderr, "netviz: warning: the agent secret is shorter than 16 characters")
	}
	return web.ObserveOptions{Apply: apply, Secret: secret, Window: f.observedWindow}, nil
}
