package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// Defaults of Sessions: a working day of sign-in, a re-check of every
// token each minute (a revoked token keeps access at most that long, and
// not at all once Nomad refuses it), room for far more viewers than a
// team has.
const (
	DefaultTTL        = 8 * time.Hour
	DefaultRevalidate = time.Minute
	DefaultMaxSession = 1000
	// checkTimeout bounds one token check.
	checkTimeout = 10 * time.Second
)

// Session is one signed-in viewer: the tokens (kept here, never sent to a
// browser), what they may read, and until when.
type Session struct {
	// ID is the session's random identifier, the only thing the browser's
	// (sealed) cookie carries.
	ID      string
	Expires time.Time

	nomadToken, consulToken string

	mu     sync.Mutex
	rights Rights
	dead   bool
	// changed closes when the session ends or its rights change: whatever
	// was shown under the old rights (a websocket) must stop.
	changed chan struct{}
}

// Rights is what the session may read now.
func (s *Session) Rights() Rights {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rights
}

// NomadToken is the viewer's Nomad secret, for a request netviz makes on
// the viewer's behalf (so Nomad, not netviz, decides what it may do).
// Never log it, render it or put it in an error.
func (s *Session) NomadToken() string { return s.nomadToken }

// Scope is the session's model scope now.
func (s *Session) Scope() model.Scope { return s.Rights().Scope }

// Changed returns a channel that closes when the session ends or its
// rights change after this call.
func (s *Session) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// alive reports whether the session may still be used at now.
func (s *Session) alive(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.dead && now.Before(s.Expires)
}

// end marks the session dead and tells its watchers.
func (s *Session) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dead {
		s.dead = true
		close(s.changed)
	}
}

// update sets new rights; a change of scope tells the watchers.
func (s *Session) update(r Rights) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return
	}
	old := s.rights.Scope.Key()
	s.rights = r
	if r.Scope.Key() != old {
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

// TokenChecker resolves what a pair of tokens may read: *Checker against
// Nomad and Consul.
type TokenChecker interface {
	Check(ctx context.Context, nomadToken, consulToken string) (Rights, error)
}

// Sessions is the bounded, expiring store of signed-in viewers.
type Sessions struct {
	checker TokenChecker
	ttl     time.Duration
	max     int
	log     *slog.Logger
	// now is the clock (tests move it).
	now func() time.Time

	mu sync.Mutex
	m  map[string]*Session
}

// NewSessions returns a store whose sessions last ttl (DefaultTTL when 0)
// and which holds at most max (DefaultMaxSession when 0).
func NewSessions(checker TokenChecker, ttl time.Duration, max int, log *slog.Logger) *Sessions {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if max <= 0 {
		max = DefaultMaxSession
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sessions{checker: checker, ttl: ttl, max: max, log: log, now: time.Now, m: map[string]*Session{}}
}

// TTL is how long a new session lasts at most.
func (ss *Sessions) TTL() time.Duration { return ss.ttl }

// SignIn checks the tokens and, when Nomad accepts them, opens a session.
// It ends sooner than the TTL when the Nomad token expires sooner. A full
// store drops the session closest to its end to make room, so a flood of
// sign-ins cannot grow memory (and the sign-in rate limit keeps such a
// flood slow).
func (ss *Sessions) SignIn(ctx context.Context, nomadToken, consulToken string) (*Session, error) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	r, err := ss.checker.Check(ctx, nomadToken, consulToken)
	if err != nil {
		return nil, err
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	now := ss.now()
	s := &Session{ID: id, Expires: now.Add(ss.ttl), nomadToken: nomadToken, consulToken: consulToken, rights: r, changed: make(chan struct{})}
	if !r.Expires.IsZero() && r.Expires.Before(s.Expires) {
		s.Expires = r.Expires
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(now)
	if len(ss.m) >= ss.max {
		var oldest *Session
		for _, o := range ss.m {
			if oldest == nil || o.Expires.Before(oldest.Expires) {
				oldest = o
			}
		}
		ss.drop(oldest)
	}
	ss.m[id] = s
	return s, nil
}

// Get returns the live session with this ID, or nil.
func (ss *Sessions) Get(id string) *Session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[id]
	if s == nil {
		return nil
	}
	if !s.alive(ss.now()) {
		ss.drop(s)
		return nil
	}
	return s
}

// SignOut ends a session.
func (ss *Sessions) SignOut(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s := ss.m[id]; s != nil {
		ss.drop(s)
	}
}

// Len is the number of sessions held.
func (ss *Sessions) Len() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.m)
}

// drop ends a session and forgets it; ss.mu is held.
func (ss *Sessions) drop(s *Session) {
	s.end()
	delete(ss.m, s.ID)
}

// sweep drops expired sessions; ss.mu is held.
func (ss *Sessions) sweep(now time.Time) {
	for _, s := range ss.m {
		if !s.alive(now) {
			ss.drop(s)
		}
	}
}

// Run re-checks every session's tokens each interval until ctx ends: a
// token Nomad or Consul now refuses ends its session at once, changed
// rights (a policy edited) apply to the next page, and an answer that does
// not come (Nomad away) leaves the session as it was until the next round.
func (ss *Sessions) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultRevalidate
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ss.Revalidate(ctx)
		}
	}
}

// Revalidate re-checks every session once.
func (ss *Sessions) Revalidate(ctx context.Context) {
	ss.mu.Lock()
	ss.sweep(ss.now())
	all := make([]*Session, 0, len(ss.m))
	for _, s := range ss.m {
		all = append(all, s)
	}
	ss.mu.Unlock()
	for _, s := range all {
		if ctx.Err() != nil {
			return
		}
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		r, err := ss.checker.Check(cctx, s.nomadToken, s.consulToken)
		cancel()
		switch {
		case errors.Is(err, ErrDenied):
			ss.log.Info("session ended: token refused", "accessor", s.Rights().Accessor, "err", err)
			ss.SignOut(s.ID)
		case err != nil:
			ss.log.Warn("session re-check failed; keeping it until the next", "accessor", s.Rights().Accessor, "err", err)
		default:
			s.update(r)
		}
	}
}

// newID returns 32 random bytes, URL-safe.
func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
