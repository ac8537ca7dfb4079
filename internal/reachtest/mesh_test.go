//go:build integration

package reachtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// meshServices are the Connect services of the deployed jobs.
func meshServices(snap *model.Snapshot) []string {
	var out []string
	for _, a := range snap.Allocations() {
		for _, s := range a.Services {
			if s.Connect != nil && s.Connect.Kind == model.ConnectSidecar && !slices.Contains(out, s.Name) {
				out = append(out, s.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestIntentionsMatchConsul compares netviz's intention verdict with
// Consul's own /v1/connect/intentions/check for every ordered pair of
// Connect services: first with the examples' intentions, then with
// wildcard ones added, so precedence (exact beats wildcard) is exercised
// too.
func TestIntentionsMatchConsul(t *testing.T) {
	snap := snapshot(t)
	names := meshServices(snap)
	if len(names) < 6 {
		t.Fatalf("mesh services %v: the Connect jobs are not all there", names)
	}
	pairs, denied := compareIntentions(t, snap, names)
	t.Logf("examples' intentions: %d service pairs match Consul's (%d denied)", pairs, denied)
	if denied == 0 {
		t.Error("no pair is denied: the broken intention was not written")
	}
	res, err := reach.Between(snap, "nosy-app", "secret-db")
	if err != nil || res.Verdict != reach.VerdictBlocked {
		t.Errorf("nosy-app → secret-db: %s (%v), want blocked", res.Verdict, err)
	}

	// Wildcards: lonely-app may reach nothing; nobody but web reaches
	// exposed-db (an exact allow above a wildcard deny).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := cluster.CLI(ctx, "consul", "config", "write", f); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		bg := context.Background()
		if _, err := cluster.CLI(bg, "consul", "config", "delete", "-kind", "service-intentions", "-name", "*"); err != nil {
			t.Error(err)
		}
		if _, err := cluster.CLI(bg, "consul", "config", "write", filepath.Join(brokenDir, "mesh-bypass-intentions.hcl")); err != nil {
			t.Error(err)
		}
	}()
	write("any.hcl", "Kind = \"service-intentions\"\nName = \"*\"\nSources = [{ Name = \"lonely-app\", Action = \"deny\" }]\n")
	write("exposed.hcl", "Kind = \"service-intentions\"\nName = \"exposed-db\"\nSources = [{ Name = \"web\", Action = \"allow\" }, { Name = \"*\", Action = \"deny\" }]\n")
	pollUntil(t, "wildcard intentions in the model", func() error {
		snap = snapshot(t)
		if n := len(snap.Intentions()); n < 5 {
			return fmt.Errorf("%d intentions", n)
		}
		return nil
	})
	pairs, denied = compareIntentions(t, snap, names)
	t.Logf("with wildcard intentions: %d service pairs match Consul's (%d denied)", pairs, denied)
	if denied < len(names) {
		t.Errorf("only %d pairs denied with the wildcards in place", denied)
	}
}

// compareIntentions checks every ordered pair of names against Consul.
func compareIntentions(t *testing.T, snap *model.Snapshot, names []string) (pairs, denied int) {
	t.Helper()
	for _, src := range names {
		for _, dst := range names {
			if src == dst {
				continue
			}
			allowed, _, err := cluster.Consul().Connect().IntentionCheck(&consulapi.IntentionCheck{
				Source: src, Destination: dst, SourceType: consulapi.IntentionSourceConsul,
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			action, in := snap.IntentionFor(src, dst)
			if (action == model.ActionAllow) != allowed {
				t.Errorf("%s → %s: netviz %s (by %+v), Consul allowed=%v", src, dst, action, in, allowed)
			}
			pairs++
			if !allowed {
				denied++
			}
		}
	}
	return pairs, denied
}

// meshApp returns the running allocation of the mesh job's app group.
func meshApp(t *testing.T, snap *model.Snapshot) *model.Allocation {
	t.Helper()
	for _, a := range snap.AllocationsOfJob("default", "mesh") {
		if a.TaskGroup == "app" && a.ClientStatus == "running" {
			return a
		}
	}
	t.Fatal("no running mesh app allocation")
	return nil
}

// TestMeshDenyAndRestore drives real traffic through the mesh: app's
// upstream listener localhost:6379 → its proxy → mTLS → redis's proxy →
// redis. It works with the allow intention, fails once a deny intention is
// written (and netviz says blocked), and works again once allow is back.
func TestMeshDenyAndRestore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	app := meshApp(t, snapshot(t))
	const url = "http://127.0.0.1:6379/"
	get := func() error { return httpGetFromNamespace(ctx, app.ID, url) }
	verdict := func() reach.Verdict {
		res, err := reach.Between(snapshot(t), "app", "redis")
		if err != nil {
			t.Fatal(err)
		}
		return res.Verdict
	}

	pollUntil(t, "GET through the mesh with allow", get)
	if v := verdict(); v != reach.VerdictReachable {
		t.Fatalf("allowed: netviz says %s", v)
	}

	deny := filepath.Join(t.TempDir(), "deny.hcl")
	if err := os.WriteFile(deny, []byte("Kind = \"service-intentions\"\nName = \"redis\"\nSources = [{ Name = \"app\", Action = \"deny\" }]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	restore := func() {
		if _, err := cluster.CLI(context.Background(), "consul", "config", "write", filepath.Join(examplesDir, "04-connect-intentions.hcl")); err != nil {
			t.Error(err)
		}
	}
	defer restore()
	if _, err := cluster.CLI(ctx, "consul", "config", "write", deny); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, "GET through the mesh refused after deny", func() error {
		if err := get(); err == nil {
			return errors.New("the request still succeeds")
		}
		return nil
	})
	if v := verdict(); v != reach.VerdictBlocked {
		t.Errorf("denied: netviz says %s, want blocked", v)
	}

	restore()
	pollUntil(t, "GET through the mesh after allow is restored", get)
	if v := verdict(); v != reach.VerdictReachable {
		t.Errorf("restored: netviz says %s, want reachable", v)
	}
}
