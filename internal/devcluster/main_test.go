package devcluster_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/devcluster"
)

// cluster is the one dev cluster this package's tests share.
var cluster *devcluster.Cluster

// TestMain starts the shared cluster. When it cannot start the tests fail
// (exit 1), never skip: under `make test` a missing cluster is a failure.
func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	c, err := devcluster.Start(ctx, devcluster.Options{})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "devcluster did not start: %v\n", err)
		os.Exit(1)
	}
	cluster = c
	code := m.Run()
	if code != 0 {
		fmt.Fprintln(os.Stderr, c.Logs())
	}
	if err := c.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "devcluster close: %v\n", err)
		code = 1
	}
	os.Exit(code)
}
