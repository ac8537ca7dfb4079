package web

import (
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/web/auth"
)

// Names of the cookies and the context value viewer login uses.
const (
	sessionCookie = "netviz_session"
	csrfCookie    = "netviz_csrf"
	csrfField     = "csrf"
	sessionKey    = "netviz.session"
	csrfKey       = "netviz.csrf"
)

// Sign-in rate limits: per client address, 5 tries and then one every 10
// s; for all clients together, 20 and then 5 a second. A person mistyping
// a token never notices; a script guessing tokens gets a few hundred
// thousand tries a day at most, against 122-bit Nomad secrets. Tests
// shorten nothing here: hitting 429 takes six quick posts.
var (
	perClientLimit = rate.Every(10 * time.Second)
	perClientBurst = 5
	globalLimit    = rate.Limit(5)
	globalBurst    = 20
	// maxLimiters bounds the per-address limiters kept (least recently used go).
	maxLimiters = 10000
)

// viewerLogin is the server's half of --auth=nomad-token: the session
// store, the sealed session cookie, CSRF protection and the sign-in rate
// limits.
type viewerLogin struct {
	sessions *auth.Sessions
	cookie   *securecookie.SecureCookie
	secure   bool
	consul   bool
	csrf     echo.MiddlewareFunc
	limiters *lru.Cache[string, *rate.Limiter]
	global   *rate.Limiter
}

// newViewerLogin seals cookies with keys drawn at start: sessions live in
// this process's memory anyway, so a restart ends them all and needs no
// key on disk.
func newViewerLogin(ss *auth.Sessions, secure, consul bool) *viewerLogin {
	hashKey, blockKey := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(hashKey) // crypto/rand never fails on Linux
	_, _ = rand.Read(blockKey)
	sc := securecookie.New(hashKey, blockKey)
	sc.MaxAge(int(ss.TTL().Seconds()))
	limiters, _ := lru.New[string, *rate.Limiter](maxLimiters)
	return &viewerLogin{
		sessions: ss, cookie: sc, secure: secure, consul: consul, limiters: limiters,
		global: rate.NewLimiter(globalLimit, globalBurst),
		csrf: middleware.CSRFWithConfig(middleware.CSRFConfig{
			TokenLookup: "form:" + csrfField, ContextKey: csrfKey, CookieName: csrfCookie, CookiePath: "/",
			CookieHTTPOnly: true, CookieSecure: secure, CookieSameSite: http.SameSiteStrictMode,
		}),
	}
}

// useLogin installs viewer login when the options ask for it: the sign-in
// and sign-out pages, and a session check in front of everything else
// that shows the cluster.
func (s *Server) useLogin(e *echo.Echo) {
	l := s.login
	if l == nil {
		return
	}
	e.Use(s.requireSession)
	e.GET("/sign-in", s.serveSignIn, l.csrf)
	e.POST("/sign-in", s.postSignIn, l.rateLimit, l.csrf)
	e.GET("/sign-out", s.serveSignOut, l.csrf)
	e.POST("/sign-out", s.postSignOut, l.csrf)
}

// open says which paths need no session: the login pages, the assets
// they use, the operations endpoints (which show counts and the sources'
// state, never a name) and the agents' ingest, which is not a viewer's
// and is authenticated on its own (client certificates).
func open(path string) bool {
	switch path {
	case "/sign-in", "/sign-out", "/healthz", "/readyz", "/metrics", "/api/v1/observations":
		return true
	}
	return strings.HasPrefix(path, "/static/")
}

// requireSession lets a request through only with a live session, which
// it puts in the context for snapshot(c). A page without one is sent to
// sign in (and back after); the API and the websocket answer 401.
func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if open(c.Request().URL.Path) {
			return next(c)
		}
		sess := s.login.session(c)
		if sess == nil {
			p := c.Request().URL.Path
			if strings.HasPrefix(p, "/api/") || p == "/ws" || c.Request().Method != http.MethodGet {
				return echo.NewHTTPError(http.StatusUnauthorized, "sign in first")
			}
			return c.Redirect(http.StatusSeeOther, "/sign-in?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		c.Set(sessionKey, sess)
		// What a session sees is its own: no shared cache may keep it.
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// session is the live session the request's cookie names, or nil.
func (l *viewerLogin) session(c echo.Context) *auth.Session {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	var id string
	if err := l.cookie.Decode(sessionCookie, ck.Value, &id); err != nil {
		return nil
	}
	return l.sessions.Get(id)
}

// snapshot is the current snapshot as the request's viewer may see it:
// the whole of it without viewer login, else restricted to the session's
// scope, and to nothing when (by a bug) no session is attached.
func (s *Server) snapshot(c echo.Context) *model.Snapshot {
	snap := s.base(c)
	if s.login == nil {
		return snap
	}
	return snap.Restrict(s.scopeOf(c))
}

// scopeOf is the request's scope: everything without viewer login, the
// session's with it, nothing for a request without a session.
func (s *Server) scopeOf(c echo.Context) model.Scope {
	if s.login == nil {
		return model.Scope{All: true}
	}
	if sess, ok := c.Get(sessionKey).(*auth.Session); ok && sess != nil {
		return sess.Scope()
	}
	return model.Scope{}
}

// signInPage is the sign-in form's data.
func (s *Server) signInPage(c echo.Context, next, msg string) views.SignIn {
	tok, _ := c.Get(csrfKey).(string)
	return views.SignIn{Assets: s.assets, CSRF: tok, Next: next, Error: msg, Consul: s.login.consul}
}

func (s *Server) serveSignIn(c echo.Context) error {
	return render(c, http.StatusOK, views.SignInPage(s.signInPage(c, localPath(c.QueryParam("next")), "")))
}

// postSignIn checks the posted tokens and opens a session. Nothing of the
// tokens is logged or echoed back: a failure says only who refused.
func (s *Server) postSignIn(c echo.Context) error {
	next := localPath(c.FormValue("next"))
	sess, err := s.login.sessions.SignIn(c.Request().Context(), strings.TrimSpace(c.FormValue("nomad_token")), strings.TrimSpace(c.FormValue("consul_token")))
	if err != nil {
		status, msg := http.StatusForbidden, "Nomad (or Consul) refused that token."
		if !errors.Is(err, auth.ErrDenied) {
			status, msg = http.StatusServiceUnavailable, "netviz could not check the token now; try again shortly."
			s.log.Warn("sign-in check failed", "err", err)
		}
		return render(c, status, views.SignInPage(s.signInPage(c, next, msg)))
	}
	val, err := s.login.cookie.Encode(sessionCookie, sess.ID)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: val, Path: "/", Expires: sess.Expires,
		MaxAge: int(time.Until(sess.Expires).Seconds()), HttpOnly: true, Secure: s.login.secure, SameSite: http.SameSiteStrictMode,
	})
	s.log.Info("signed in", "accessor", sess.Rights().Accessor, "name", sess.Rights().Name, "remote", clientAddr(c))
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) serveSignOut(c echo.Context) error {
	p := s.signInPage(c, "", "")
	if sess := s.login.session(c); sess != nil {
		p.Name = sess.Rights().Name
	}
	return render(c, http.StatusOK, views.SignOutPage(p))
}

// postSignOut ends the session (its websockets close) and clears the cookie.
func (s *Server) postSignOut(c echo.Context) error {
	if sess := s.login.session(c); sess != nil {
		s.login.sessions.SignOut(sess.ID)
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.login.secure, SameSite: http.SameSiteStrictMode})
	return c.Redirect(http.StatusSeeOther, "/sign-in")
}

// rateLimit refuses sign-in posts past the per-address or the global rate
// with 429 and Retry-After.
func (l *viewerLogin) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		addr := clientAddr(c)
		lim, ok := l.limiters.Get(addr)
		if !ok {
			lim = rate.NewLimiter(perClientLimit, perClientBurst)
			l.limiters.Add(addr, lim)
		}
		if !lim.Allow() || !l.global.Allow() {
			c.Response().Header().Set("Retry-After", "10")
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many sign-in attempts")
		}
		return next(c)
	}
}

// clientAddr is the peer's IP address. Forwarding headers are ignored: any
// client can write them, and a limit keyed on them limits nobody. Behind a
// proxy every viewer shares the proxy's address, and so its limit.
func clientAddr(c echo.Context) string {
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return c.Request().RemoteAddr
	}
	return host
}

// localPath keeps a post-sign-in destination on this server: a path of
// its own, never "//host" or a scheme, which would make the sign-in page
// an open redirect.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

// viewerNomadToken is the signed-in viewer's Nomad token, for a request
// made on their behalf; false without viewer login or session. Handlers
// that act for a viewer use it rather than the server's own token.
func viewerNomadToken(c echo.Context) (string, bool) {
	sess, ok := c.Get(sessionKey).(*auth.Session)
	if !ok || sess == nil {
		return "", false
	}
	return sess.NomadToken(), true
}
