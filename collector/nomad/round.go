package nomad

import (
	"errors"
	"fmt"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// errTopicsForbidden ends a stream request whose token may not read some
// topics: they are recorded in the status and the stream reopens with the
// rest at once.
var errTopicsForbidden = errors.New("some topics are forbidden by the ACL token; following the rest")

// round is one turn of the stream loop, as its read needs to know it: the
// stream opened before the read (nil when it could not be, why in
// streamErr), and how many rounds before it had a stream that did not hold.
type round struct {
	sub       *subscription
	streamErr error
	unheld    int
	lastFail  error
}

// setRound records the loop's current round (nil between reads).
func (s *Source) setRound(r *round) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.round = r
}

// readVerdict is how a finished read leaves the status: "" for connected,
// else why it is still catching up. Connected needs a stream that follows
// the read: a one-shot read (no round) is current by itself; in the loop,
// the stream opened before the read must still be open, and after streams
// that ended as soon as they resumed, it must first prove it holds (follow
// says connected at its first frame or heartbeat), so the status does not
// flip between connected and catching-up at every attempt.
func (s *Source) readVerdict() string {
	s.mu.Lock()
	r := s.round
	s.mu.Unlock()
	switch {
	case r == nil:
		return ""
	case r.sub == nil:
		return fmt.Sprintf("read Nomad, but its event stream could not be opened (%v); trying again", r.streamErr)
	case r.sub.ended() != nil:
		return fmt.Sprintf("read Nomad, but the event stream opened for the read ended during it (%v); catching up again", r.sub.ended())
	case r.unheld > 0:
		return fmt.Sprintf("the last %d event stream(s) ended before delivering anything after their read (last: %v); connected once this one does", r.unheld, r.lastFail)
	}
	return ""
}

// setReadState records a finished read at index: connected when reason is
// "", else still catching up for reason, with the data as of the read.
func setReadState(index uint64, reason string, now func() time.Time) func(*model.SourceStatus) {
	return func(st *model.SourceStatus) {
		setConnected(index, now())(st)
		if reason != "" {
			st.State, st.Reason = model.StateCatchingUp, reason
		}
	}
}
