package nomad

import (
	"errors"
	"maps"
	"net"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// Status returns the source's current status.
func (s *Source) Status() model.SourceStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneStatus(s.status)
}

// cloneStatus copies a status so the published one shares no map with the
// source's own, which later calls change.
func cloneStatus(st model.SourceStatus) model.SourceStatus {
	st.Topics = maps.Clone(st.Topics)
	return st
}

// updateStatus changes the status under the lock, stamps Since when the
// state changes, and returns the change that publishes it. Callers apply it,
// alone or with the batch it describes.
func (s *Source) updateStatus(change func(*model.SourceStatus)) model.SetNomadStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.status.State
	change(&s.status)
	if s.status.State != prev || s.status.Since.IsZero() {
		s.status.Since = s.now()
	}
	return model.SetNomadStatus{Status: cloneStatus(s.status)}
}

// publishStatus applies a status change on its own.
func (s *Source) publishStatus(change func(*model.SourceStatus)) {
	s.store.Apply(s.updateStatus(change))
}

// setConnected records a successful read or frame at index.
func setConnected(index uint64, at time.Time) func(*model.SourceStatus) {
	return func(st *model.SourceStatus) {
		st.State = model.StateConnected
		st.Error, st.Reason = "", ""
		st.Index = index
		st.AsOf = at
	}
}

// setCatchingUp records that the model is being brought level after a break
// in the stream; the data shown stays, as of the last frame.
func (s *Source) setCatchingUp(reason string) {
	s.publishStatus(func(st *model.SourceStatus) {
		if st.State == model.StateStale || st.State == model.StateSyncing {
			st.Reason = reason // stale data stays stale until a read succeeds
			return
		}
		st.State = model.StateCatchingUp
		st.Reason = reason
		st.Error = ""
	})
}

// setStale records that Nomad has sent nothing, not even a heartbeat, since
// last: the data shown is as of then.
func (s *Source) setStale(last time.Time, reason string) {
	s.publishStatus(func(st *model.SourceStatus) {
		st.State = model.StateStale
		st.Reason = reason
		st.AsOf = last
	})
}

// setFailed records a failed read or stream. A 403 is forbidden. While the
// data is already stale, a read that times out leaves it stale (Nomad may be
// frozen or partitioned, not gone); anything else that fails is down.
func (s *Source) setFailed(err error) {
	s.publishStatus(func(st *model.SourceStatus) {
		st.Error = err.Error()
		switch {
		case isForbidden(err):
			st.State = model.StateForbidden
		case st.State == model.StateStale && isTimeout(err):
			// stays stale, with the error
		default:
			st.State = model.StateDown
			st.Reason = ""
		}
	})
}

// isTimeout reports whether err is a read that got no answer in time.
func isTimeout(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, errReadTimeout) || strings.Contains(err.Error(), "Client.Timeout") ||
		strings.Contains(err.Error(), "context deadline exceeded")
}
