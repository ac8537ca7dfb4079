//go:build scale

package scale

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// logRec is one record the collector logged.
type logRec struct {
	at    time.Time
	level slog.Level
	msg   string
	attrs map[string]slog.Value
}

func (r logRec) int(key string) int64 {
	if v, ok := r.attrs[key]; ok && v.Kind() == slog.KindInt64 {
		return v.Int64()
	}
	return 0
}

func (r logRec) dur(key string) time.Duration {
	if v, ok := r.attrs[key]; ok && v.Kind() == slog.KindDuration {
		return v.Duration()
	}
	return 0
}

func (r logRec) str(key string) string {
	if v, ok := r.attrs[key]; ok {
		return v.String()
	}
	return ""
}

// recorder is a slog.Handler that keeps every record (Info and above) for
// the report and passes it on to out.
type recorder struct {
	shared *recorded
	attrs  []slog.Attr
	out    slog.Handler
}

type recorded struct {
	mu   sync.Mutex
	recs []logRec
}

func newRecorder(w io.Writer, attrs ...slog.Attr) *recorder {
	out := slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}).WithAttrs(attrs)
	return &recorder{shared: &recorded{}, attrs: attrs, out: out}
}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (r *recorder) Handle(ctx context.Context, rec slog.Record) error {
	lr := logRec{at: rec.Time, level: rec.Level, msg: rec.Message, attrs: map[string]slog.Value{}}
	for _, a := range r.attrs {
		lr.attrs[a.Key] = a.Value.Resolve()
	}
	rec.Attrs(func(a slog.Attr) bool {
		lr.attrs[a.Key] = a.Value.Resolve()
		return true
	})
	r.shared.mu.Lock()
	r.shared.recs = append(r.shared.recs, lr)
	r.shared.mu.Unlock()
	return r.out.Handle(ctx, rec)
}

func (r *recorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &recorder{shared: r.shared, attrs: append(slices.Clone(r.attrs), as...), out: r.out.WithAttrs(as)}
}

func (r *recorder) WithGroup(name string) slog.Handler {
	return &recorder{shared: r.shared, attrs: r.attrs, out: r.out.WithGroup(name)}
}

// since returns the records from index i on, and the index after them.
func (r *recorder) since(i int) ([]logRec, int) {
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	return slices.Clone(r.shared.recs[i:]), len(r.shared.recs)
}

// wait returns the first record from index i on whose message starts with
// msg, waiting for it until ctx ends.
func (r *recorder) wait(ctx context.Context, i int, msg string) (logRec, error) {
	for {
		recs, _ := r.since(i)
		for _, rec := range recs {
			if strings.HasPrefix(rec.msg, msg) {
				return rec, nil
			}
		}
		select {
		case <-ctx.Done():
			return logRec{}, fmt.Errorf("waiting for the log %q: %w", msg, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stateWatch follows the model's Nomad status through every delta of the
// store: the states seen in each phase of the run, and each change of state.
type stateWatch struct {
	mu          sync.Mutex
	phase       string
	counts      map[string]map[string]int // phase → state → deltas seen in it
	transitions []transition
	last        string
	// deltas counts the deltas received; exact those read at their own
	// version (the snapshot read right after a delta can already be newer,
	// so a state held for one version only could be missed; Full deltas
	// mean the watcher fell behind).
	deltas, exact, full int
	// marks are the model's Nomad index after each delta, for lagBehind.
	marks []indexMark
}

// indexMark is an index seen at a time.
type indexMark struct {
	at    time.Time
	index uint64
}

type transition struct {
	at       time.Time
	phase    string
	from, to string
	reason   string
	version  uint64
}

// watchStates subscribes to store and records until ctx ends.
func watchStates(ctx context.Context, store *model.Store) *stateWatch {
	w := &stateWatch{phase: "sync", counts: map[string]map[string]int{}}
	deltas := store.Subscribe(ctx)
	go func() {
		first := true
		for d := range deltas {
			snap := store.Snapshot()
			st := snap.Status().Nomad
			w.mu.Lock()
			w.deltas++
			if snap.Version() == d.Version {
				w.exact++
			}
			if d.Full && !first {
				w.full++
			}
			first = false
			if w.counts[w.phase] == nil {
				w.counts[w.phase] = map[string]int{}
			}
			w.counts[w.phase][st.State]++
			w.marks = append(w.marks, indexMark{time.Now(), st.Index})
			if st.State != w.last {
				w.transitions = append(w.transitions, transition{at: time.Now(), phase: w.phase, from: w.last, to: st.State, reason: st.Reason + st.Error, version: snap.Version()})
				w.last = st.State
			}
			w.mu.Unlock()
		}
	}()
	return w
}

// lagBehind says, for each of Nomad's indexes sampled at a time, how long
// after it the model's index reached it (0 if it already had), and returns
// the median, the 90th percentile and the largest, and how many samples
// the model never reached.
func (w *stateWatch) lagBehind(samples []indexMark) (p50, p90, worst time.Duration, never int) {
	w.mu.Lock()
	marks := slices.Clone(w.marks)
	w.mu.Unlock()
	var lags []time.Duration
	for _, s := range samples {
		reached := false
		for _, m := range marks {
			if m.index >= s.index {
				lags = append(lags, max(0, m.at.Sub(s.at)))
				reached = true
				break
			}
		}
		if !reached {
			never++
		}
	}
	if len(lags) == 0 {
		return 0, 0, 0, never
	}
	slices.Sort(lags)
	return lags[len(lags)/2], lags[len(lags)*9/10], lags[len(lags)-1], never
}

func (w *stateWatch) setPhase(p string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.phase = p
}

// states returns the states seen in phase, sorted, with their counts.
func (w *stateWatch) states(phase string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for s, n := range w.counts[phase] {
		if s == "" {
			s = "(none yet)"
		}
		out = append(out, fmt.Sprintf("%s (%d deltas)", s, n))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func (w *stateWatch) seen(state string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, m := range w.counts {
		n += m[state]
	}
	return n
}

// compareModels compares the Nomad side of two snapshots by content:
// allocations, nodes and Nomad-native services, each as its JSON, by ID.
// It returns the number of differing objects and a description: how many
// differ in which fields, then the first few in full.
func compareModels(live, fresh *model.Snapshot) (int, []string) {
	objects := func(s *model.Snapshot) map[string]string {
		m := map[string]string{}
		put := func(key string, v any) {
			b, _ := json.Marshal(v)
			m[key] = string(b)
		}
		for _, a := range s.Allocations() {
			put("alloc "+a.ID, a)
		}
		for _, n := range s.Nodes() {
			put("node "+n.ID, n)
		}
		for _, svc := range s.Services() {
			if svc.Provider == model.ProviderNomad {
				put("service "+svc.ID, svc)
			}
		}
		return m
	}
	l, f := objects(live), objects(fresh)
	var keys []string
	for k := range l {
		keys = append(keys, k)
	}
	for k := range f {
		if _, ok := l[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	n := 0
	var out []string
	kinds := map[string]int{}
	for _, k := range keys {
		lv, lok := l[k]
		fv, fok := f[k]
		if lok && fok && lv == fv {
			continue
		}
		n++
		kind, _, _ := strings.Cut(k, " ")
		switch {
		case !fok:
			kinds[kind+" only in the live model"]++
		case !lok:
			kinds[kind+" only in the fresh sync"]++
		default:
			kinds[kind+" differing in "+differingFields(lv, fv)]++
		}
		if len(out) >= 20 {
			continue
		}
		switch {
		case !fok:
			out = append(out, "only live:  "+k+" "+clip(lv))
		case !lok:
			out = append(out, "only fresh: "+k+" "+clip(fv))
		default:
			out = append(out, "different:  "+k+"\n    live:  "+clip(lv)+"\n    fresh: "+clip(fv))
		}
	}
	var summary []string
	for k, c := range kinds {
		summary = append(summary, fmt.Sprintf("%d %s", c, k))
	}
	slices.Sort(summary)
	return n, append(summary, out...)
}

// differingFields names the top-level JSON fields two objects differ in.
func differingFields(a, b string) string {
	var ma, mb map[string]json.RawMessage
	_ = json.Unmarshal([]byte(a), &ma)
	_ = json.Unmarshal([]byte(b), &mb)
	var fields []string
	for k, v := range ma {
		if string(mb[k]) != string(v) {
			fields = append(fields, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			fields = append(fields, k)
		}
	}
	slices.Sort(fields)
	return strings.Join(fields, ",")
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// counts of the Nomad side of a snapshot.
func modelCounts(s *model.Snapshot) (allocs, nodes, services int) {
	for _, svc := range s.Services() {
		if svc.Provider == model.ProviderNomad {
			services++
		}
	}
	return len(s.Allocations()), len(s.Nodes()), services
}

// cpuSelf is this process's CPU time so far (user + system).
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// agentPID finds the Nomad agent started with the cluster's config file.
func agentPID(dir string) int {
	cfg := filepath.Join(dir, "nomad.hcl")
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if strings.Contains(string(cmd), cfg) {
			return pid
		}
	}
	return 0
}

// procCPU is a process's CPU time (user + system) from /proc/pid/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ
}

// procRSS is a process's resident memory in bytes.
func procRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// mountsUnder counts the mount points below dir.
func mountsUnder(dir string) int {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return -1
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
			n++
		}
	}
	return n
}

// machine describes where the run happened.
func machine() string {
	model := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	var si syscall.Sysinfo_t
	mem := "?"
	if syscall.Sysinfo(&si) == nil {
		mem = fmt.Sprintf("%.1f GB", float64(si.Totalram)*float64(si.Unit)/1e9)
	}
	return fmt.Sprintf("nproc %d, CPU %q, memory %s, load average %s", runtime.NumCPU(), model, mem, load)
}

func loadAvg() string {
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		return strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return "?"
}

func mb(n int64) string {
	if n < 1e6 {
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
