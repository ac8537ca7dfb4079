//go:build integration

package authtest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
	"github.com/netviz/netviz/web"
	"github.com/netviz/netviz/web/auth"
)

// The cluster every test here shares: ACLs on, no examples (their
// Connect sidecars would need service identity tokens), two team
// namespaces with a job each.
var (
	shared = &devcluster.Shared{Options: devcluster.Options{ACL: true}, Setup: setup}
	env    *testEnv
)

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }

// testEnv is what setup made: the tokens and the running collector.
type testEnv struct {
	c     *devcluster.Cluster
	store *model.Store
	// teamA reads team-a; teamB reads team-b and nodes. consulAlpha reads
	// the Consul services named alpha*.
	teamA, teamB *nomadapi.ACLToken
	consulAlpha  string
	// logs collects every server's log lines, to look for secrets.
	logs *syncBuffer
}

// jobHCL is a small raw_exec job in a namespace with one Nomad service
// and one Consul service, named after the job (two groups: Nomad wants
// one provider per group).
func jobHCL(ns, job string) string {
	group := func(name, provider string) string {
		return fmt.Sprintf(`  group %q {
    network {
      port "http" {}
    }
    service {
      name     = "%s-%s"
      provider = %q
      port     = "http"
    }
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["100000"]
      }
      resources {
        cpu    = 20
        memory = 16
      }
    }
  }
`, name, job, name, provider)
	}
	return fmt.Sprintf("job %q {\n  namespace   = %q\n  datacenters = [\"dc1\"]\n", job, ns) +
		group("nsvc", "nomad") + group("csvc", "consul") + "}\n"
}

// deployJob writes and runs a job, waiting until it is healthy.
func deployJob(ctx context.Context, c *devcluster.Cluster, ns, job string) error {
	f := filepath.Join(c.Dir, job+".nomad.hcl")
	if err := os.WriteFile(f, []byte(jobHCL(ns, job)), 0o644); err != nil {
		return err
	}
	if _, err := c.Run(ctx, f); err != nil {
		return err
	}
	return c.WaitHealthy(ctx, ns, job)
}

func setup(ctx context.Context, c *devcluster.Cluster, cleanup func(func() error)) error {
	n := c.Nomad()
	w := (&nomadapi.WriteOptions{}).WithContext(ctx)
	for _, ns := range []string{"team-a", "team-b"} {
		if _, err := n.Namespaces().Register(&nomadapi.Namespace{Name: ns}, w); err != nil {
			return fmt.Errorf("namespace %s: %w", ns, err)
		}
	}
	for _, p := range []*nomadapi.ACLPolicy{
		{Name: "team-a-read", Rules: `namespace "team-a" { policy = "read" }`},
		{Name: "team-b-read", Rules: "namespace \"team-b\" {\n  policy = \"read\"\n}\nnode {\n  policy = \"read\"\n}"},
	} {
		if _, err := n.ACLPolicies().Upsert(p, w); err != nil {
			return fmt.Errorf("policy %s: %w", p.Name, err)
		}
	}
	e := &testEnv{c: c, logs: &syncBuffer{}}
	var err error
	if e.teamA, err = newToken(ctx, c, "viewer-a", "team-a-read"); err != nil {
		return err
	}
	if e.teamB, err = newToken(ctx, c, "viewer-b", "team-b-read"); err != nil {
		return err
	}
	cp, _, err := c.Consul().ACL().PolicyCreate(&consulapi.ACLPolicy{Name: "alpha-read", Rules: `service_prefix "alpha" { policy = "read" }`}, nil)
	if err != nil {
		return fmt.Errorf("consul policy: %w", err)
	}
	ct, _, err := c.Consul().ACL().TokenCreate(&consulapi.ACLToken{Policies: []*consulapi.ACLTokenPolicyLink{{ID: cp.ID}}}, nil)
	if err != nil {
		return fmt.Errorf("consul token: %w", err)
	}
	e.consulAlpha = ct.SecretID
	if err := deployJob(ctx, c, "team-a", "alpha"); err != nil {
		return err
	}
	if err := deployJob(ctx, c, "team-b", "bravo"); err != nil {
		return err
	}

	// The collector reads with the management tokens, as an operator's
	// netviz does with its own token.
	ncfg, ccfg := c.APIConfigs()
	col, err := collector.New(collector.Config{Nomad: ncfg, Consul: ccfg, Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	if err != nil {
		return err
	}
	colCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- col.Run(colCtx) }()
	cleanup(func() error {
		stop()
		err := <-done
		col.Close()
		if err != nil && colCtx.Err() == nil {
			return err
		}
		return nil
	})
	e.store = col.Store()
	env = e
	return nil
}

// newToken makes a client token with one policy.
func newToken(ctx context.Context, c *devcluster.Cluster, name, policy string) (*nomadapi.ACLToken, error) {
	t, _, err := c.Nomad().ACLTokens().Create(&nomadapi.ACLToken{Name: name, Type: "client", Policies: []string{policy}}, (&nomadapi.WriteOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("token %s: %w", name, err)
	}
	return t, nil
}

// server is one netviz server with viewer login over the shared store.
type server struct {
	url string
}

// startServer serves the shared store with viewer login on loopback until
// the test ends. The checker's base Nomad config carries the management
// token on purpose: a viewer's check must never use it.
func startServer(t *testing.T, ttl, revalidate time.Duration) *server {
	t.Helper()
	c := shared.Cluster(t)
	ncfg, ccfg := c.APIConfigs()
	srv := web.New(env.store, web.Options{
		Logger: slog.New(slog.NewTextHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Login:  &auth.Checker{Nomad: ncfg, Consul: ccfg}, SessionTTL: ttl, Revalidate: revalidate,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &server{url: "http://" + ln.Addr().String()}
}

// syncBuffer is a bytes.Buffer safe for concurrent loggers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
