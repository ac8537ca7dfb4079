package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

func runDump(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f sourceFlags
	var watch bool
	fs := flag.NewFlagSet("dump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	fs.BoolVar(&watch, "watch", false, "after the snapshot, print each new model version's changes as JSON lines until interrupted")
	if err := parse(fs, args); err != nil {
		return err
	}
	col, _, err := f.open(stderr)
	if err != nil {
		return err
	}
	if err := col.Sync(ctx); err != nil {
		return err
	}
	snap := col.Store().Snapshot()
	out, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", out); err != nil {
		return err
	}
	if !watch {
		return nil
	}
	return watchChanges(ctx, col.Run, col.Store(), snap.Version(), stdout)
}

// change is one JSON line of `netviz dump --watch`: the version, the keys it
// touched, and each touched object as it now is (null once deleted). A full
// change (resync) lists no keys; read /api/v1/graph or dump again.
type change struct {
	Version uint64                     `json:"version"`
	Full    bool                       `json:"full,omitempty"`
	Changed map[string]json.RawMessage `json:"changed"`
}

// watchChanges runs the collector and prints the deltas after version from.
func watchChanges(ctx context.Context, collect func(context.Context) error, store *model.Store, from uint64, w io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	deltas := store.Subscribe(ctx)
	errc := make(chan error, 1)
	go func() { errc <- collect(ctx) }()
	enc := json.NewEncoder(w)
	for {
		select {
		case <-ctx.Done():
			return <-errc
		case err := <-errc:
			return err
		case d, ok := <-deltas:
			if !ok {
				return <-errc
			}
			if d.Version <= from {
				continue
			}
			if err := enc.Encode(describeDelta(store.Snapshot(), d)); err != nil {
				return err
			}
		}
	}
}

// describeDelta resolves a delta's keys to the objects in snap.
func describeDelta(snap *model.Snapshot, d model.Delta) change {
	c := change{Version: d.Version, Full: d.Full, Changed: map[string]json.RawMessage{}}
	for _, key := range d.Changed {
		kind, id, _ := strings.Cut(key, "/")
		var obj any
		switch kind {
		case "node":
			if n := snap.Node(id); n != nil {
				obj = n
			}
		case "alloc":
			if a := snap.Allocation(id); a != nil {
				obj = a
			}
		case "service":
			if s := snap.ServicesNamed(id); len(s) > 0 {
				obj = s
			}
		default:
			continue
		}
		raw, err := json.Marshal(obj)
		if err != nil {
			raw = []byte("null")
		}
		c.Changed[key] = raw
	}
	return c
}
