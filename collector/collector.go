// Package collector keeps netviz's model (package collector/model) in step
// with a real Nomad cluster and, optionally, its Consul. It only wires the
// two sources to one model.Store: the Nomad source (package collector/nomad)
// reads a snapshot and then the event stream, the Consul source (package
// collector/consul) follows blocking queries. API types are converted to
// model types in those packages, at the border; nothing else in netviz sees
// them.
package collector

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/hashicorp/go-cleanhttp"
	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/consul"
	"github.com/netviz/netviz/collector/history/record"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/nomad"
	"golang.org/x/sync/errgroup"
)

// Config says where the collector reads from. Build the API configs with
// nomadapi.DefaultConfig() and consulapi.DefaultConfig() so NOMAD_ADDR,
// NOMAD_TOKEN, NOMAD_REGION, NOMAD_CACERT…, CONSUL_HTTP_ADDR,
// CONSUL_HTTP_TOKEN… work exactly as with the official CLIs.
type Config struct {
	Nomad *nomadapi.Config
	// Consul is nil to run without Consul (the model then says it is absent).
	Consul *consulapi.Config
	Logger *slog.Logger
	// StaleAfter is how long Nomad's event stream may stay silent before
	// the source probes Nomad and, without an answer, shows the data as
	// stale (0: 25 s). Nomad heartbeats an idle stream only every 30 s, so
	// a silence Nomad vouches for is stale only past that heartbeat.
	StaleAfter time.Duration
	// AntiEntropy is the pause between two comparisons of the model with a
	// fresh read of Nomad (0: 5 min; negative: never).
	AntiEntropy time.Duration
	// History, when set, records the networking history into its data
	// directory while Run runs (see package collector/history/record).
	History *record.Options
}

// Collector owns the model store and the sources that feed it.
type Collector struct {
	// closers release the clients' idle connections (see Close).
	closers   []func()
	store     *model.Store
	nomad     *nomad.Source
	nomadAddr string
	// nomadClient and nomadCfg parse job files for the dashboard's check
	// (check.go).
	nomadClient *nomadapi.Client
	nomadCfg    nomadapi.Config
	consul      *consul.Source
	history     *record.Recorder
	log         *slog.Logger
}

// New builds a collector and its store. It does no I/O.
func New(cfg Config) (*Collector, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.Nomad == nil {
		cfg.Nomad = nomadapi.DefaultConfig()
	}
	nomadCfg := *cfg.Nomad // a copy: the caller's config is left as it was
	cfg.Nomad = &nomadCfg
	countBytes, err := countingNomadClient(cfg.Nomad)
	if err != nil {
		return nil, fmt.Errorf("nomad client: %w", err)
	}
	nc, err := nomadapi.NewClient(cfg.Nomad)
	if err != nil {
		return nil, fmt.Errorf("nomad client: %w", err)
	}
	c := &Collector{store: model.NewStore(), nomadAddr: cfg.Nomad.Address, nomadClient: nc, nomadCfg: *cfg.Nomad, log: log, closers: []func(){nc.Close}}
	opts := []nomad.Option{nomad.WithByteCounter(countBytes)}
	if cfg.StaleAfter > 0 {
		opts = append(opts, nomad.WithStaleAfter(cfg.StaleAfter))
	}
	if cfg.AntiEntropy != 0 {
		opts = append(opts, nomad.WithAntiEntropy(max(cfg.AntiEntropy, 0)))
	}
	c.nomad = nomad.NewSource(nc, cfg.Nomad.Address, c.store, log.With("source", "nomad"), opts...)
	if cfg.Consul != nil {
		cc, err := consulapi.NewClient(cfg.Consul)
		if err != nil {
			return nil, fmt.Errorf("consul client: %w", err)
		}
		if hc := cfg.Consul.HttpClient; hc != nil {
			c.closers = append(c.closers, hc.CloseIdleConnections)
		}
		addr := cfg.Consul.Address
		if cfg.Consul.Scheme != "" && !strings.Contains(addr, "://") {
			addr = cfg.Consul.Scheme + "://" + addr
		}
		c.consul = consul.NewSource(cc, c.store, log.With("source", "consul"), consul.WithAddress(addr))
	} else {
		c.store.Apply(model.SetConsulStatus{Status: model.SourceStatus{State: model.StateAbsent, Error: "Consul disabled"}})
	}
	if cfg.History != nil {
		h := *cfg.History
		h.Logger = log
		c.history = record.New(c.store, h)
	}
	return c, nil
}

// Close releases the clients' idle keep-alive connections. Call it when a
// collector is done (after Sync, or after Run returned): Nomad limits the
// connections one client address may hold (http_max_conns_per_client) and
// answers 429 past it.
func (c *Collector) Close() {
	for _, f := range c.closers {
		f()
	}
}

// Store is the model the collector keeps up to date.
func (c *Collector) Store() *model.Store { return c.store }

// History is the history recorder, or nil when history is off.
func (c *Collector) History() *record.Recorder { return c.history }

// NomadStats are the Nomad source's running totals (reads, frames, events
// by topic), for metrics.
func (c *Collector) NomadStats() nomad.Stats { return c.nomad.Stats() }

// Run follows Nomad and Consul (and records history, when on) until ctx
// ends. Losing either source is reported in the model's status and
// retried; Run returns nil when ctx ends.
func (c *Collector) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return c.nomad.Run(gctx) })
	if c.consul != nil {
		g.Go(func() error { return c.consul.Run(gctx) })
	}
	if c.history != nil {
		g.Go(func() error { return c.history.Run(gctx) })
	}
	return g.Wait()
}

// Sync reads everything once. Nomad must answer; Consul's failure only shows
// in the model's status, since Consul is optional.
func (c *Collector) Sync(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := c.nomad.SyncFull(gctx); err != nil {
			return fmt.Errorf("nomad at %s: %w", c.nomadAddr, err)
		}
		return nil
	})
	if c.consul != nil {
		g.Go(func() error {
			if err := c.consul.Sync(gctx); err != nil {
				c.log.Warn("consul sync failed; continuing without it", "err", err)
			}
			return nil
		})
	}
	return g.Wait()
}

// countingNomadClient gives cfg an HTTP client built as the Nomad API
// client builds its own (pooled, TLS 1.2 at least, HTTP/1, cfg's TLS
// settings), but counting the bytes it reads, for the sync and catch-up
// logs. A client the caller set, or a unix socket address, is left alone
// and counts nothing.
func countingNomadClient(cfg *nomadapi.Config) (func() int64, error) {
	if cfg.HttpClient != nil || strings.HasPrefix(cfg.Address, "unix:") {
		return func() int64 { return 0 }, nil
	}
	hc := cleanhttp.DefaultPooledClient()
	t := hc.Transport.(*http.Transport)
	t.TLSHandshakeTimeout = 10 * time.Second
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.ForceAttemptHTTP2 = false
	if err := nomadapi.ConfigureTLS(hc, cfg.TLSConfig); err != nil {
		return nil, err
	}
	cfg.HttpClient = hc
	return nomad.CountBytes(hc), nil
}
