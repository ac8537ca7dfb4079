//go:build integration

package collector_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/consul"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
	"go.uber.org/goleak"
)

// aclRootToken is the management token of the ACL test agent (a throw-away
// dev agent on loopback).
const aclRootToken = "7e1c0a52-0d51-4f6e-9a3b-2c6f1d1e8a01"

// TestConsulSourceACL runs the source against a real Consul with ACLs on
// (default deny): what the token may not read shows in the status topics,
// and the rest keeps working.
func TestConsulSourceACL(t *testing.T) {
	addr := startACLConsul(t)
	root := aclClient(t, addr, aclRootToken)
	if err := root.Agent().ServiceRegister(&consulapi.AgentServiceRegistration{ID: "web-1", Name: "web", Port: 80}); err != nil {
		t.Fatal(err)
	}
	policy, _, err := root.ACL().PolicyCreate(&consulapi.ACLPolicy{
		Name:  "netviz-web-only",
		Rules: `node_prefix "" { policy = "read" }` + "\n" + `service_prefix "web" { policy = "read" }`,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := root.ACL().TokenCreate(&consulapi.ACLToken{Policies: []*consulapi.ACLTokenPolicyLink{{ID: policy.ID}}}, nil)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a narrow token sees what it may and says what it may not", func(t *testing.T) {
		store := runConsulSource(t, aclClient(t, addr, token.SecretID), addr)
		snap, _ := waitModel(t, store, "web, with the default verdict refused", func(s *model.Snapshot) error {
			if err := wantConsulState(s, model.StateConnected); err != nil {
				return err
			}
			if s.Status().Consul.Topics["intentions-default"] == "" {
				return fmt.Errorf("no topic for the refused default verdict: %+v", s.Status().Consul)
			}
			return wantConsulInstances(s, "web")
		})
		if got := snap.Status().Consul.Topics["intentions-default"]; !strings.HasPrefix(got, "403") {
			t.Errorf("intentions-default topic = %q, want a 403", got)
		}
		if snap.DefaultAllow() {
			t.Error("DefaultAllow = true; with the verdict refused under ACLs the model should assume deny")
		}
		if st := snap.Status().Consul; strings.Contains(fmt.Sprint(st), token.SecretID) {
			t.Errorf("status shows the token: %+v", st)
		}
	})

	t.Run("an unknown token is forbidden everywhere and Run keeps going", func(t *testing.T) {
		store := runConsulSource(t, aclClient(t, addr, "00000000-0000-4000-8000-000000000001"), addr)
		snap, _ := waitModel(t, store, "consul forbidden", func(s *model.Snapshot) error {
			return wantConsulState(s, model.StateForbidden)
		})
		for _, topic := range []string{"catalog", "health", "intentions"} {
			if got := snap.Status().Consul.Topics[topic]; !strings.HasPrefix(got, "403") {
				t.Errorf("topic %s = %q, want a 403", topic, got)
			}
		}
	})
}

// runConsulSource runs a source on client until the test ends and checks
// that Run then returns nil, leaving no goroutine of its own behind (the
// HTTP client's idle connections are the client's, not the source's, and
// agents the test restarts are waited on by the test's own goroutines).
func runConsulSource(t *testing.T, client *consulapi.Client, addr string, opts ...consul.Option) *model.Store {
	t.Helper()
	before := goleak.IgnoreCurrent()
	store := model.NewStore()
	opts = append([]consul.Option{consul.WithAddress(addr)}, opts...)
	src := consul.NewSource(client, store, slog.New(slog.NewTextHandler(t.Output(), nil)), opts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
		if err := goleak.Find(before,
			goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
			goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
			goleak.IgnoreAnyFunction("internal/poll.runtime_pollWait"),
			goleak.IgnoreAnyFunction("os/exec.(*Cmd).Wait"),
		); err != nil {
			t.Errorf("goroutines left after Run returned: %v", err)
		}
	})
	return store
}

func aclClient(t *testing.T, addr, token string) *consulapi.Client {
	t.Helper()
	cfg := consulapi.DefaultConfig()
	cfg.Address, cfg.Token = addr, token
	c, err := consulapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startACLConsul starts a Consul dev agent with default-deny ACLs on free
// loopback ports (its gRPC and DNS listeners off, so it never collides with
// a devcluster) and returns its HTTP address once it has a leader.
func startACLConsul(t *testing.T) string {
	t.Helper()
	ports := make([]int, 4)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	hcl := fmt.Sprintf(`disable_update_check = true
acl {
  enabled = true
  default_policy = "deny"
  tokens {
    initial_management = %q
    agent = %q
  }
}
ports {
  http = %d
  serf_lan = %d
  serf_wan = %d
  server = %d
  dns = -1
  grpc = -1
  grpc_tls = -1
}`, aclRootToken, aclRootToken, ports[0], ports[1], ports[2], ports[3])
	var out bytes.Buffer
	cmd := exec.Command(filepath.Join(devcluster.ToolsDir(), "consul"), "agent", "-dev", "-node", "netviz-acl",
		"-bind", "127.0.0.1", "-client", "127.0.0.1", "-hcl", hcl)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("consul agent with ACLs did not start: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("ACL consul output:\n%s", out.String())
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	root := aclClient(t, addr, aclRootToken)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if leader, err := root.Status().Leader(); err == nil && leader != "" {
			if _, _, err := root.ACL().TokenReadSelf(nil); err == nil {
				return addr
			}
		}
		select {
		case <-exited:
			t.Fatalf("consul agent with ACLs exited:\n%s", out.String())
		case <-ctx.Done():
			t.Fatalf("consul agent with ACLs never became ready:\n%s", out.String())
		case <-tick.C:
		}
	}
}
