//go:build integration

package deploytest

import (
	"os"
	"testing"

	"github.com/netviz/netviz/internal/devcluster"
)

// shared is a dev cluster without the examples: the job under test is
// netviz itself.
var shared = &devcluster.Shared{}

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }
