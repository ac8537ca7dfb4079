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

// TestMain starts the shared environment, runs the tests and tears it all
// down. A cluster, server or browser that cannot start fails the package
// (exit 1): these tests never skip.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) (code int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stops []func() error
	defer func() {
		// Stop in reverse order: browser, server, collector, cluster.
		for i := len(stops) - 1; i >= 0; i-- {
			if err := stops[i](); err != nil {
				fmt.Fprintf(os.Stderr, "e2e teardown: %v\n", err)
				code = 1
			}
		}
	}()
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "e2e setup: %v\n", err)
		if env.cluster != nil {
			fmt.Fprintln(os.Stderr, env.cluster.Logs())
		}
		return 1
	}

	setupCtx, setupCancel := context.WithTimeout(ctx, setupTimeout)
	defer setupCancel()
	c, err := devcluster.Start(setupCtx, devcluster.Options{})
	if err != nil {
		return fail(err)
	}
	env.cluster = c
	stops = append(stops, c.Close)
	if err := c.DeployExamples(setupCtx, examplesDir); err != nil {
		return fail(err)
	}

	store, stop, err := startCollector(ctx, c)
	if err != nil {
		return fail(err)
	}
	env.store = store
	stops = append(stops, stop)
	if err := waitComplete(setupCtx, c, store); err != nil {
		return fail(err)
	}

	base, stop, err := startServer(ctx, store)
	if err != nil {
		return fail(err)
	}
	env.base = base
	stops = append(stops, stop)

	browser, stop, err := startBrowser(ctx)
	if err != nil {
		return fail(err)
	}
	env.browser = browser
	stops = append(stops, stop)

	code = m.Run()
	if code != 0 {
		fmt.Fprintln(os.Stderr, c.Logs())
	}
	return code
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
