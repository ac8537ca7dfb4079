//go:build integration

package e2e_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
	"github.com/netviz/netviz/web"
)

// setupTimeout bounds starting the cluster, deploying every example and the
// first complete model; the cluster alone normally needs well under a minute.
const setupTimeout = 8 * time.Minute

// env is everything the tests share: one cluster, one collector feeding one
// store, one netviz server and one browser. TestMain sets it up once because
// each of them takes seconds to start and the tests only read, except where
// a test says what it changes.
var env struct {
	cluster *devcluster.Cluster
	store   *model.Store
	// base is the server's URL, http://127.0.0.1:port.
	base string
	// browser is a chromedp context whose browser is running; tests open
	// tabs from it.
	browser context.Context
}

// shared starts the cluster with every example, then the rest of env. A
// cluster, collector, server or browser that cannot start fails the
// package (exit 1): these tests never skip. After the tests it stops them
// in reverse order: browser, server, collector, cluster.
var shared = &devcluster.Shared{Examples: examplesDir, Timeout: setupTimeout, Setup: setup}

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }

// setup starts the collector, waits for its first complete model, then
// starts the server and the browser. They run until their cleanup, not
// until ctx (setup's) ends.
func setup(ctx context.Context, c *devcluster.Cluster, cleanup func(func() error)) error {
	env.cluster = c
	store, stop, err := startCollector(context.Background(), c)
	if err != nil {
		return err
	}
	env.store = store
	cleanup(stop)
	if err := waitComplete(ctx, c, store); err != nil {
		return err
	}

	base, stop, err := startServer(context.Background(), store)
	if err != nil {
		return err
	}
	env.base = base
	cleanup(stop)

	browser, stop, err := startBrowser(context.Background())
	if err != nil {
		return err
	}
	env.browser = browser
	cleanup(stop)
	return nil
}

// startCollector runs a collector on c until stop is called.
func startCollector(ctx context.Context, c *devcluster.Cluster) (*model.Store, func() error, error) {
	n, cc := c.APIConfigs()
	col, err := collector.New(collector.Config{Nomad: n, Consul: cc})
	if err != nil {
		return nil, nil, fmt.Errorf("collector: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- col.Run(ctx) }()
	return col.Store(), func() error {
		cancel()
		if err := <-done; err != nil {
			return fmt.Errorf("collector: %w", err)
		}
		return nil
	}, nil
}

// startServer serves netviz over store on a free loopback port until stop
// is called, and returns its base URL.
func startServer(ctx context.Context, store *model.Store) (string, func() error, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	srv := web.New(store, web.Options{})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), func() error {
		cancel()
		if err := <-done; err != nil {
			return fmt.Errorf("web server: %w", err)
		}
		return nil
	}, nil
}
