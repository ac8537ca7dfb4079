package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/netviz/netviz/static"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/web/auth"
)

// Timeouts of the HTTP server. Pages render from memory, so anything slower
// than these is a stuck client, not a busy server.
const (
	readHeaderTimeout = 10 * time.Second
	// shutdownTimeout bounds how long Run waits for requests in flight.
	shutdownTimeout = 5 * time.Second
)

// Options configure a Server.
type Options struct {
	// AllowedOrigins are extra origins ("https://netviz.example:8443") whose
	// pages may open the websocket; the server's own host is always allowed.
	AllowedOrigins []string
	// Logger receives request errors and hub events; nil discards them.
	Logger *slog.Logger
	// AllowedHosts are extra Host header values the server answers to
	// ("netviz.example", "netviz.example:8443", or "*" for any): see
	// hostAllowlist for those always allowed. Any other is refused (421),
	// which stops DNS-rebinding pages from reading the API.
	AllowedHosts []string
	// Listen is the address the server is reached at; its host name is
	// allowed as a Host header.
	Listen string
	// TLS, when set, makes Run and Serve serve HTTPS with it (see LoadTLS).
	TLS *tls.Config
	// CollectorStats, when set, is read at every /metrics scrape for the
	// collector's own totals.
	CollectorStats func() CollectorStats
	// History, when set, serves /timeline and ?at= on every page (history.go).
	History History
	// Observe turns on the agents' ingest of observed connections (observe.go).
	Observe ObserveOptions
	// Check, when set, turns on the job check (/check, check.go).
	Check CheckFunc
	// Login, when set, turns viewer login on (--auth=nomad-token): a
	// viewer signs in with tokens this checker validates, and every page,
	// API body and push shows only what those tokens may read (signin.go).
	Login *auth.Checker
	// SessionTTL is how long a sign-in lasts; default auth.DefaultTTL.
	SessionTTL time.Duration
	// Revalidate is how often sessions' tokens are checked again; default
	// auth.DefaultRevalidate.
	Revalidate time.Duration
}

// Server serves the pages, the JSON API and live updates of one Source.
type Server struct {
	src     Source
	log     *slog.Logger
	origins map[string]bool
	assets  views.Assets
	version string
	echo    *echo.Echo
	tune    tuning
	hosts   *hostAllowlist
	tls     *tls.Config
	metrics *metrics
	observe ObserveOptions
	// renderLive renders live views' full pushes (renderView; tests put a fake
	// in front of it).
	renderLive renderFunc
	// hub is set while Serve runs; /ws answers 503 without it.
	hub atomic.Pointer[hub]
	// check and checkSlots run job checks (check.go).
	check      CheckFunc
	checkSlots chan struct{}
	// history is nil when netviz records none.
	history History
	// login is viewer login, nil when it is off.
	login      *viewerLogin
	revalidate time.Duration
}

// tuning holds the hub's timing and buffer choices; tests shorten them.
type tuning struct {
	// debounce gathers a burst of deltas into one render.
	debounce time.Duration
	// sendBuffer is how many pushes a client may fall behind before it is dropped.
	sendBuffer int
	// writeWait bounds one websocket write; a client slower than this is dropped.
	writeWait time.Duration
	// pingPeriod is how often idle connections are pinged; pongWait is how
	// long the server waits for any frame before it gives a client up.
	pingPeriod, pongWait time.Duration
	// renderWorkers is how many views render at once; 0 means
	// defaultRenderWorkers.
	renderWorkers int
	// renderTimeout is a render's deadline.
	renderTimeout time.Duration
}

// defaultTuning: 150 ms merges the bursts Nomad sends during deployments
// (~100 events a frame) yet feels immediate; 8 pushes of backlog is plenty
// for a browser and little memory.
var defaultTuning = tuning{
	debounce:   150 * time.Millisecond,
	sendBuffer: 8,
	writeWait:  10 * time.Second,
	pingPeriod: 30 * time.Second,
	pongWait:   60 * time.Second,
	// A backstop, well past the diagrams' own wait for a layout (package
	// diagram's DefaultDeadline, 3 s), so that a slow layout ends in the
	// diagram's fallback picture, pushed like any page, and this deadline
	// ends only what nothing else bounds.
	renderTimeout: 10 * time.Second,
}

// defaultRenderWorkers: renders are CPU-bound (view models, layouts, HTML),
// so one per processor; at least two, so one slow view never holds up the
// rest even on one processor.
func defaultRenderWorkers() int { return max(2, runtime.GOMAXPROCS(0)) }

// New builds a server over src. It panics only if the embedded assets cannot
// be read, which a build that compiled cannot cause.
func New(src Source, opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	version, err := assetVersion(static.FS)
	if err != nil {
		panic(err)
	}
	s := &Server{
		src:     src,
		log:     log,
		origins: map[string]bool{},
		assets:  assetURLs(version),
		version: version,
		tune:    defaultTuning,
		hosts:   newHostAllowlist(opts.AllowedHosts, opts.Listen),
		tls:     opts.TLS,
		observe: opts.Observe,
		check:   opts.Check,
	}
	if opts.Login != nil {
		s.login = newViewerLogin(auth.NewSessions(opts.Login, opts.SessionTTL, 0, log), opts.TLS != nil, opts.Login.Consul != nil)
		s.revalidate = opts.Revalidate
	}
	s.history = opts.History
	s.metrics = newMetrics(src, opts.CollectorStats)
	s.renderLive = s.renderView
	// A layout that missed its deadline left an older or simpler picture on
	// the pages: push them again once it is done.
	diagram.OnLate(func(l diagram.Late) { s.RedrawDiagrams(l.View) })
	for _, o := range opts.AllowedOrigins {
		s.origins[normaliseOrigin(o)] = true
	}
	s.echo = s.routes()
	return s
}

// normaliseOrigin lower-cases an origin and drops a trailing slash, as
// browsers send "https://host:port" exactly.
func normaliseOrigin(o string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o)), "/")
}

// Handler is the HTTP handler of every route. Live updates need the hub
// that Run or Serve starts; without it /ws answers 503.
func (s *Server) Handler() http.Handler { return s.echo }

// Run listens on addr and serves until ctx ends; see Serve.
func (s *Server) Run(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then shuts down; call it (or Run) once
// per Server. At shutdown it closes every websocket (with "service restart",
// so pages reconnect to the next server), waits up to shutdownTimeout for
// requests in flight and returns once every goroutine it started has ended.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hubCtx, stopHub := context.WithCancel(ctx)
	defer stopHub()
	t := s.tune
	if t.renderWorkers <= 0 {
		t.renderWorkers = defaultRenderWorkers()
	}
	h := newHub(s, t)
	s.hub.Store(h)
	defer s.hub.Store(nil)

	var wg sync.WaitGroup
	wg.Go(func() { h.run(hubCtx) })
	wg.Go(func() { s.expireObserved(hubCtx) })
	if s.login != nil {
		wg.Go(func() { s.login.sessions.Run(hubCtx, s.revalidate) })
	}

	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: readHeaderTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if s.tls != nil {
		ln = tls.NewListener(ln, s.tls)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	stopHub()
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(shutCtx)
	if serveErr == nil {
		// Serve has returned ErrServerClosed by now; wait so its goroutine ends.
		serveErr = <-served
	}
	wg.Wait()
	h.wait()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serveErr)
	}
	if shutErr != nil {
		return fmt.Errorf("shutdown: %w", shutErr)
	}
	return nil
}

// routes builds the echo router.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.httpError
	// Counting comes first, so refused and failed requests count too.
	e.Use(s.metrics.middleware)
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.Use(s.checkHost)
	s.useLogin(e)
	// Pages with big diagrams and the htmx script shrink several times over;
	// the websocket is hijacked and must not pass through a gzip writer;
	// /metrics compresses on its own (promhttp negotiates it).
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Skipper: func(c echo.Context) bool { return c.Path() == "/ws" || c.Path() == "/metrics" },
	}))
	e.Use(s.timeTravel)
	e.Use(s.exports)

	for _, k := range []pageKind{kindOverview, kindTopology, kindAllocation, kindNode, kindServices, kindService, kindReach} {
		e.GET(string(k), s.servePage)
	}
	e.GET("/timeline", s.serveTimeline)
	e.GET("/diff", s.serveDiff)
	api := e.Group("/api/v1")
	api.GET("/timeline", s.serveTimeline)
	api.GET("/diff", s.serveDiff)
	api.GET("/graph", s.serveGraph)
	api.GET("/overview", s.serveJSON)
	api.GET("/topology", s.serveJSON)
	api.GET("/allocations/:id", s.serveJSON)
	api.GET("/nodes/:id", s.serveJSON)
	api.GET("/services", s.serveJSON)
	api.GET("/services/:name", s.serveJSON)
	api.GET("/warnings", s.serveWarnings)
	api.GET("/reach", s.serveJSON)
	api.GET("/reach/matrix", s.serveReachMatrix)
	api.POST("/observations", s.serveObservations)
	s.checkRoutes(e)

	e.GET("/healthz", s.serveHealth)
	e.HEAD("/healthz", s.serveHealth)
	e.GET("/readyz", s.serveReady)
	e.HEAD("/readyz", s.serveReady)
	e.GET("/metrics", s.metrics.handler())
	e.GET("/ws", s.serveWS)
	e.GET("/static/:version/*", assetHandler(s.version))
	return e
}

// securityHeaders forbids what netviz never needs: outside scripts and
// connections, inline scripts, framing, MIME sniffing.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		// htmx adds an inline <style> for its indicators, hence 'unsafe-inline'
		// for styles only.
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		return next(c)
	}
}
