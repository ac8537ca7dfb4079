package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/agent"
)

// runAgent is `netviz agent`: sample this node's sockets and report them to
// a netviz server (see collector/agent and docs/observed.md).
func runAgent(ctx context.Context, args []string, stderr io.Writer) error {
	var cfg agent.Config
	var lf sourceFlags
	var secretFile, caFile, certFile, keyFile string
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Server, "server", envOr("NETVIZ_SERVER", ""), "the netviz server's URL, e.g. https://netviz.service:7777 (env NETVIZ_SERVER)")
	fs.StringVar(&secretFile, "secret-file", envOr("NETVIZ_AGENT_SECRET_FILE", ""),
		"file holding the shared secret the server's --agent-secret expects; or give the secret itself in NETVIZ_AGENT_SECRET (env NETVIZ_AGENT_SECRET_FILE)")
	fs.StringVar(&cfg.NodeID, "node-id", envOr("NETVIZ_NODE_ID", ""), "this Nomad client's node ID; default: the local Nomad agent's (env NETVIZ_NODE_ID)")
	fs.DurationVar(&cfg.Interval, "interval", envDuration("NETVIZ_AGENT_INTERVAL", 2*time.Second), "sample and report this often (env NETVIZ_AGENT_INTERVAL)")
	fs.StringVar(&cfg.NetnsDir, "netns-dir", envOr("NETVIZ_NETNS_DIR", "/var/run/netns"), "where Nomad's allocation namespaces are bound (env NETVIZ_NETNS_DIR)")
	fs.StringVar(&caFile, "tls-ca", envOr("NETVIZ_AGENT_TLS_CA", ""), "PEM CA to verify the server with (env NETVIZ_AGENT_TLS_CA)")
	fs.StringVar(&certFile, "tls-cert", envOr("NETVIZ_AGENT_TLS_CERT", ""), "PEM client certificate for mutual TLS (env NETVIZ_AGENT_TLS_CERT)")
	fs.StringVar(&keyFile, "tls-key", envOr("NETVIZ_AGENT_TLS_KEY", ""), "the PEM key of --tls-cert (env NETVIZ_AGENT_TLS_KEY)")
	fs.StringVar(&lf.logLevel, "log-level", envOr("NETVIZ_LOG_LEVEL", "info"), "debug, info, warn or error (env NETVIZ_LOG_LEVEL)")
	fs.StringVar(&lf.logFormat, "log-format", envOr("NETVIZ_LOG_FORMAT", "auto"), "text, json or auto (env NETVIZ_LOG_FORMAT)")
	if err := parse(fs, args); err != nil {
		return err
	}
	log, err := lf.logger(stderr)
	if err != nil {
		return err
	}
	cfg.Log = log
	if cfg.Secret, err = agentSecret(secretFile); err != nil {
		return err
	}
	client, err := agentHTTPClient(caFile, certFile, keyFile)
	if err != nil {
		return err
	}
	if cfg.Secret == "" && certFile == "" {
		return errors.New("no credentials: give --secret-file (or NETVIZ_AGENT_SECRET) or --tls-cert/--tls-key")
	}
	cfg.Sender = &agent.HTTPSender{URL: cfg.Server, Secret: cfg.Secret, Client: client}
	if cfg.Server == "" {
		return fmt.Errorf("%w: --server is required", errUsage)
	}
	a, err := agent.New(cfg)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// agentSecret reads the shared secret from a file, else NETVIZ_AGENT_SECRET.
func agentSecret(file string) (string, error) {
	if file == "" {
		return os.Getenv("NETVIZ_AGENT_SECRET"), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--secret-file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// agentHTTPClient is the client reports go through: the system's roots or
// --tls-ca, and a client certificate for mutual TLS when given.
func agentHTTPClient(caFile, certFile, keyFile string) (*http.Client, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, errors.New("--tls-ca: no PEM certificate found")
		}
	}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}, nil
}
