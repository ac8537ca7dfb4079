package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/netviz/netviz/collector/model"
)

// Readiness verdicts (readiness.Status).
const (
	readyOK         = "ready"
	readyCatchingUp = "catching-up"
	readyNot        = "not-ready"
)

// readiness is the /readyz body: whether the data served is worth serving,
// and each source's part in that verdict.
type readiness struct {
	Status  string          `json:"status"`
	Reason  string          `json:"reason"`
	Version uint64          `json:"version"`
	Nomad   sourceReadiness `json:"nomad"`
	Consul  sourceReadiness `json:"consul"`
}

// sourceReadiness is one source's state as /readyz judges it.
type sourceReadiness struct {
	Ready  bool              `json:"ready"`
	State  string            `json:"state"`
	Error  string            `json:"error,omitempty"`
	Reason string            `json:"reason,omitempty"`
	Since  time.Time         `json:"since,omitzero"`
	AsOf   time.Time         `json:"as_of,omitzero"`
	Topics map[string]string `json:"topics,omitempty"`
}

// judgeSource says whether one source lets netviz serve: its first read is
// done and it is neither failing (down, forbidden) nor stale. Catching up
// is ready: the data is whole, only a little behind. Consul being absent
// (not configured) is ready too.
func judgeSource(st model.SourceStatus) sourceReadiness {
	r := sourceReadiness{State: st.State, Error: st.Error, Reason: st.Reason, Since: st.Since, AsOf: st.AsOf, Topics: st.Topics}
	switch st.State {
	case model.StateConnected, model.StateCatchingUp, model.StateAbsent:
		r.Ready = true
	}
	if r.State == "" {
		r.State = model.StateSyncing // nothing reported yet: the first read has not finished
	}
	return r
}

// readinessOf judges a snapshot's sources.
func readinessOf(snap *model.Snapshot) readiness {
	st := snap.Status()
	r := readiness{Version: snap.Version(), Nomad: judgeSource(st.Nomad), Consul: judgeSource(st.Consul)}
	var not, behind []string
	for _, s := range []struct {
		name string
		r    sourceReadiness
	}{{"nomad", r.Nomad}, {"consul", r.Consul}} {
		switch {
		case !s.r.Ready:
			not = append(not, describeSource(s.name, s.r))
		case s.r.State == model.StateCatchingUp:
			behind = append(behind, describeSource(s.name, s.r))
		}
	}
	switch {
	case len(not) > 0:
		r.Status, r.Reason = readyNot, strings.Join(not, "; ")
	case len(behind) > 0:
		r.Status, r.Reason = readyCatchingUp, strings.Join(behind, "; ")
	default:
		r.Status, r.Reason = readyOK, "every source is connected"
	}
	return r
}

// describeSource is one source's part of the reason: its state, why, and
// since when.
func describeSource(name string, r sourceReadiness) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %s", name, r.State)
	if r.State == model.StateSyncing {
		b.WriteString(" (its first read has not finished)")
	}
	if why := r.Error; why != "" || r.Reason != "" {
		if why == "" {
			why = r.Reason
		}
		fmt.Fprintf(&b, ": %s", why)
	}
	if !r.Since.IsZero() {
		fmt.Fprintf(&b, " (since %s)", r.Since.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// serveReady answers /readyz: 200 while every source has finished its
// first read and none is down, forbidden or stale (catching up is ready,
// and says so), else 503. The body names each source's state either way.
func (s *Server) serveReady(c echo.Context) error {
	r := readinessOf(s.src.Snapshot())
	code := http.StatusOK
	if r.Status == readyNot {
		code = http.StatusServiceUnavailable
	}
	if c.Request().Method == http.MethodHead {
		return c.NoContent(code)
	}
	return c.JSON(code, r)
}
