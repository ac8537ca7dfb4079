//go:build integration

package devcluster_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/devcluster"
)

// cluster is the one dev cluster this package's tests share.
var cluster *devcluster.Cluster

// shared starts the cluster before the tests; the tests deploy what they
// need themselves.
var shared = &devcluster.Shared{
	Timeout: 3 * time.Minute,
	Setup: func(_ context.Context, c *devcluster.Cluster, _ func(func() error)) error {
		cluster = c
		return nil
	},
}

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }
