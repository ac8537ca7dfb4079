package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/history/record"
)

// sourceFlags are the flags every command that reads a cluster shares.
type sourceFlags struct {
	noConsul    bool
	logLevel    string
	logFormat   string
	staleAfter  time.Duration
	antiEntropy time.Duration
	// history is set by serve: the collector then records history.
	history *record.Options
}

func (f *sourceFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.noConsul, "no-consul", envBool("NETVIZ_NO_CONSUL"), "do not read Consul (env NETVIZ_NO_CONSUL)")
	fs.StringVar(&f.logLevel, "log-level", envOr("NETVIZ_LOG_LEVEL", "info"), "debug, info, warn or error (env NETVIZ_LOG_LEVEL)")
	fs.StringVar(&f.logFormat, "log-format", envOr("NETVIZ_LOG_FORMAT", "auto"),
		"text, json, or auto: text on a terminal, JSON lines otherwise (env NETVIZ_LOG_FORMAT)")
	fs.DurationVar(&f.staleAfter, "stale-after", envDuration("NETVIZ_STALE_AFTER", 25*time.Second),
		"show Nomad's data as stale when its event stream sends nothing, not even a heartbeat, for this long and Nomad does not answer a probe; a stream silent past Nomad's 30 s heartbeat is stale even when Nomad answers (env NETVIZ_STALE_AFTER)")
	fs.DurationVar(&f.antiEntropy, "anti-entropy", envDuration("NETVIZ_ANTI_ENTROPY", 5*time.Minute),
		"compare the model with a fresh read of Nomad this often, and repair what differs; 0 turns it off (env NETVIZ_ANTI_ENTROPY)")
}

// logger writes structured logs to w at the chosen level, as text or as
// JSON lines (for log shippers): --log-format auto picks text on a terminal
// and JSON otherwise.
func (f *sourceFlags) logger(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(f.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "auto", "":
		if isTerminal(w) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want auto, text or json", f.logFormat)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// open builds the logger and the collector every reading command needs.
func (f *sourceFlags) open(stderr io.Writer) (*collector.Collector, *slog.Logger, error) {
	log, err := f.logger(stderr)
	if err != nil {
		return nil, nil, err
	}
	col, err := f.collector(log)
	if err != nil {
		return nil, nil, err
	}
	return col, log, nil
}

// collector builds the collector with the official clients' default
// configs, so the CLIs' environment variables apply unchanged.
func (f *sourceFlags) collector(log *slog.Logger) (*collector.Collector, error) {
	cfg := collector.Config{Nomad: nomadapi.DefaultConfig(), Logger: log, StaleAfter: f.staleAfter, AntiEntropy: f.antiEntropy, History: f.history}
	if f.antiEntropy == 0 {
		cfg.AntiEntropy = -1 // off
	}
	if !f.noConsul {
		cfg.Consul = consulapi.DefaultConfig()
	}
	return collector.New(cfg)
}

// envDuration reads a duration from the environment, or def when unset or
// unreadable (the flag's own parsing then reports a bad command line value).
func envDuration(key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return d
	}
	return def
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envBool(key string) bool {
	switch strings.ToLower(os.Getenv(key)) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// parse parses a subcommand's flags, printing its usage on -h.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errUsage
		}
		return errUsage
	}
	return nil
}
