package web

import "time"

// SetTuning shortens the hub's debounce and send queue, so tests can push
// many updates quickly and fill a slow client's queue with few of them.
func SetTuning(s *Server, debounce time.Duration, sendBuffer int) {
	s.tune.debounce = debounce
	s.tune.sendBuffer = sendBuffer
}
