package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/netviz/netviz/web"
	"golang.org/x/sync/errgroup"
)

// serveFlags are `netviz serve`'s flags.
type serveFlags struct {
	sourceFlags
	listen  string
	origins string
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	fs.StringVar(&f.listen, "listen", envOr("NETVIZ_LISTEN", "127.0.0.1:7777"), "address to serve the dashboard on (env NETVIZ_LISTEN)")
	fs.StringVar(&f.origins, "allowed-origins", envOr("NETVIZ_ALLOWED_ORIGINS", ""), "comma-separated extra origins allowed to open the websocket, e.g. behind a proxy (env NETVIZ_ALLOWED_ORIGINS)")
	if err := parse(fs, args); err != nil {
		return err
	}
	col, log, err := f.open(stderr)
	if err != nil {
		return err
	}
	return serve(ctx, col.Run, col.Store(), f.listen, splitList(f.origins), log, func(addr string) {
		log.Info("netviz dashboard", "url", "http://"+addr+"/")
	})
}

// serve runs the collector and the web server until ctx ends or one fails.
func serve(ctx context.Context, collect func(context.Context) error, src web.Source, listen string, origins []string, log *slog.Logger, ready func(addr string)) error {
	srv := web.New(src, web.Options{AllowedOrigins: origins, Logger: log})
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return collect(gctx) })
	g.Go(func() error {
		if err := srv.Run(gctx, listen); err != nil {
			return fmt.Errorf("web server on %s: %w", listen, err)
		}
		return nil
	})
	ready(listen)
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
