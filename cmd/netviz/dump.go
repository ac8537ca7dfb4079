package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views/viewmodel"
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
	defer col.Close()
	if watch {
		// One read only: the collector's own as it starts following, not a
		// Sync before it.
		return watchChanges(ctx, col.Run, col.Store(), stdout)
	}
	if err := col.Sync(ctx); err != nil {
		return err
	}
	return printModel(stdout, col.Store().Snapshot())
}

// printModel writes the whole model in its documented JSON form, indented.
func printModel(w io.Writer, snap *model.Snapshot) error {
	out, err := json.MarshalIndent(viewmodel.NewGraph(snap), "", "  ")
	if err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}

// change is one JSON line of `netviz dump --watch`: the version, the keys it
// touched, and each touched object as it now is (null once deleted). A full
// change (resync) lists no keys; read /api/v1/graph or dump again.
type change struct {
	Version uint64                     `json:"version"`
	Full    bool                       `json:"full,omitempty"`
	Changed map[string]json.RawMessage `json:"changed"`
}

// watchChanges runs the collector (collect), prints the model once its
// first read is in, then each later version's changes as one JSON line. It
// fails, as a plain dump does, when that first read finds Nomad unreadable.
func watchChanges(ctx context.Context, collect func(context.Context) error, store *model.Store, w io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	deltas := store.Subscribe(ctx)
	errc := make(chan error, 1)
	go func() { errc <- collect(ctx) }()
	// stop ends the collector and waits for it, on the way out with err.
	stop := func(err error) error {
		cancel()
		<-errc
		return err
	}
	enc := json.NewEncoder(w)
	printed := false
	var from uint64 // the version the printed model is at
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
			if !printed {
				snap := store.Snapshot()
				ready, err := firstReadDone(snap.Status())
				if err != nil {
					return stop(err)
				}
				if !ready {
					continue
				}
				if err := printModel(w, snap); err != nil {
					return stop(err)
				}
				printed, from = true, snap.Version()
				continue
			}
			if d.Version <= from {
				continue
			}
			if err := enc.Encode(describeDelta(store.Snapshot(), d)); err != nil {
				return stop(err)
			}
		}
	}
}

// firstReadDone reports whether the collector's first read is in: Nomad has
// been read (or could not be, which is the error) and Consul, which is
// optional, has been read or given up on.
func firstReadDone(st model.Status) (bool, error) {
	switch st.Nomad.State {
	case "", model.StateSyncing:
		return false, nil
	case model.StateDown, model.StateAbsent, model.StateForbidden:
		return false, fmt.Errorf("nomad at %s: %s: %s", st.Nomad.Address, st.Nomad.State, st.Nomad.Error)
	}
	return st.Consul.State != "" && st.Consul.State != model.StateSyncing, nil
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
		case model.KeyStatus:
			obj = snap.Status()
		case model.KeyIntentions:
			obj = struct {
				Intentions   []model.Intention `json:"intentions"`
				DefaultAllow bool              `json:"default_allow"`
			}{model.NonNil(snap.Intentions()), snap.DefaultAllow()}
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
