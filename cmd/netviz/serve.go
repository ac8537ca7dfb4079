package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/web"
	"golang.org/x/sync/errgroup"
)

// serveFlags are `netviz serve`'s flags.
type serveFlags struct {
	sourceFlags
	hist           historyFlags
	listen         string
	origins        string
	hosts          string
	tlsCert        string
	tlsKey         string
	tlsClientCA    string
	insecureNoAuth bool
	observeFlags
	login loginFlags
}

// registerWeb registers the flags of the web server, shared by serve and demo.
func (f *serveFlags) registerWeb(fs *flag.FlagSet) {
	fs.StringVar(&f.listen, "listen", envOr("NETVIZ_LISTEN", "127.0.0.1:7777"), "address to serve the dashboard on (env NETVIZ_LISTEN)")
	fs.StringVar(&f.origins, "allowed-origins", envOr("NETVIZ_ALLOWED_ORIGINS", ""), "comma-separated extra origins allowed to open the websocket, e.g. behind a proxy (env NETVIZ_ALLOWED_ORIGINS)")
	fs.StringVar(&f.hosts, "allowed-hosts", envOr("NETVIZ_ALLOWED_HOSTS", ""),
		"comma-separated host names (or host:port) the dashboard answers to besides IP addresses, localhost and the --listen host; \"*\" for any (env NETVIZ_ALLOWED_HOSTS)")
	fs.StringVar(&f.tlsCert, "tls-cert", envOr("NETVIZ_TLS_CERT", ""), "serve HTTPS with this PEM certificate (chain) (env NETVIZ_TLS_CERT)")
	fs.StringVar(&f.tlsKey, "tls-key", envOr("NETVIZ_TLS_KEY", ""), "the PEM key of --tls-cert (env NETVIZ_TLS_KEY)")
	fs.StringVar(&f.tlsClientCA, "tls-client-ca", envOr("NETVIZ_TLS_CLIENT_CA", ""),
		"require client certificates signed by these PEM CAs (mutual TLS; needs --tls-cert) (env NETVIZ_TLS_CLIENT_CA)")
	fs.BoolVar(&f.insecureNoAuth, "insecure-no-auth", envBool("NETVIZ_INSECURE_NO_AUTH"),
		"allow serving a non-loopback address without authentication (no --auth=nomad-token nor client certificates: anyone who reaches the address sees the cluster) (env NETVIZ_INSECURE_NO_AUTH)")
	f.login.register(fs)
	f.registerObserve(fs)
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	f.registerWeb(fs)
	f.hist.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	opts, err := f.webOptions()
	if err != nil {
		return err
	}
	if f.history, err = f.hist.options(); err != nil {
		return err
	}
	col, log, err := f.open(stderr)
	if err != nil {
		return err
	}
	defer col.Close()
	if h := col.History(); h != nil {
		opts.History = h
	}
	opts.CollectorStats = collectorStats(col)
	opts.Check = webCheck(col)
	if opts.Observe, err = f.observeOptions(col.Store().Apply, f.tlsClientCA != ""); err != nil {
		return err
	}
	return serve(ctx, col.Run, col.Store(), opts, log, func(url string) {
		log.Info("netviz dashboard", "url", url)
	})
}

// collectorStats reads the collector's running totals for /metrics.
func collectorStats(col *collector.Collector) func() web.CollectorStats {
	return func() web.CollectorStats {
		n := col.NomadStats()
		return web.CollectorStats{
			Reads: map[string]web.ReadStats{
				"sync":     {Count: n.Syncs, Seconds: n.SyncSeconds},
				"catch-up": {Count: n.CatchUps, Seconds: n.CatchUpSeconds},
			},
			Events: n.Events,
			Frames: n.Frames,
		}
	}
}

// webOptions checks the web server's flags and turns them into its options.
func (f *serveFlags) webOptions() (web.Options, error) {
	opts := web.Options{Listen: f.listen, AllowedOrigins: splitList(f.origins), AllowedHosts: splitList(f.hosts)}
	switch {
	case f.tlsCert != "" || f.tlsKey != "":
		cfg, err := web.LoadTLS(f.tlsCert, f.tlsKey, f.tlsClientCA)
		if err != nil {
			return opts, err
		}
		opts.TLS = cfg
	case f.tlsClientCA != "":
		return opts, errors.New("--tls-client-ca needs --tls-cert and --tls-key")
	}
	if err := f.login.apply(&opts, !f.noConsul); err != nil {
		return opts, err
	}
	if err := checkExposure(f.listen, f.tlsClientCA != "" || f.login.authenticates(), f.insecureNoAuth); err != nil {
		return opts, err
	}
	return opts, nil
}

// checkExposure refuses to serve an address other machines can reach
// without authentication, unless the operator says so: what netviz shows
// (every service, port and address of the cluster) is a map for an
// attacker. Viewer login (--auth=nomad-token) and client certificates
// (mutual TLS) are authentication.
func checkExposure(listen string, authenticated, insecureNoAuth bool) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", listen, err)
	}
	if isLoopback(host) || authenticated || insecureNoAuth {
		return nil
	}
	shown := host
	if shown == "" {
		shown = "every interface"
	}
	return fmt.Errorf("refusing to serve on %s (%s is not a loopback address) without authentication: "+
		"anyone who reaches it would see the cluster's services, ports and addresses. Turn on viewer login (--auth=nomad-token), listen on 127.0.0.1 behind an authenticating proxy, "+
		"require client certificates (--tls-client-ca), or pass --insecure-no-auth (env NETVIZ_INSECURE_NO_AUTH=1) to accept that", listen, shown)
}

// isLoopback reports whether a listen host binds only the loopback
// interface: "localhost" or a loopback IP. Any other name counts as
// reachable from outside.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// serve runs the collector and the web server until ctx ends or one fails.
// It listens first, so a busy address fails at once, and ready gets the
// dashboard's URL with the port actually bound.
func serve(ctx context.Context, collect func(context.Context) error, src web.Source, opts web.Options, log *slog.Logger, ready func(url string)) error {
	opts.Logger = log
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", opts.Listen, err)
	}
	srv := web.New(src, opts)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return collect(gctx) })
	g.Go(func() error {
		if err := srv.Serve(gctx, ln); err != nil {
			return fmt.Errorf("web server on %s: %w", opts.Listen, err)
		}
		return nil
	})
	scheme := "http"
	if opts.TLS != nil {
		scheme = "https"
	}
	ready(scheme + "://" + ln.Addr().String() + "/")
	return g.Wait()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
