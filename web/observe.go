package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/netviz/netviz/collector/model"
)

// maxReportBytes bounds a report's body: 5,000 flows of ~250 bytes of JSON
// fit in about 1.3 MB, so 4 MiB leaves room and stops a flood early.
const maxReportBytes = 4 << 20

// DefaultObservedWindow is how long an observed flow stays without being
// seen again, unless --observed-window says otherwise.
const DefaultObservedWindow = 5 * time.Minute

// ObserveOptions turn on the agents' ingest endpoint, POST /api/v1/observations.
type ObserveOptions struct {
	// Apply takes the reports into the model: the collector's
	// Store.Apply. Nil turns the endpoint off (404).
	Apply func(...model.Change) *model.Snapshot
	// Secret is what agents send as "Authorization: Bearer <secret>".
	// Without it only agents with a verified client certificate may post
	// (needs TLS with client CAs); with neither, every post is refused.
	Secret string
	// Window is how long a flow lives without being seen again; default
	// DefaultObservedWindow.
	Window time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

func (o ObserveOptions) window() time.Duration {
	if o.Window <= 0 {
		return DefaultObservedWindow
	}
	return o.Window
}

func (o ObserveOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// agentAuthorized reports whether a request comes from an agent: the
// shared secret (compared in constant time, through hashes so the length
// does not leak either) or a client certificate the TLS handshake verified.
func (o ObserveOptions) agentAuthorized(r *http.Request) bool {
	if o.Secret != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		want := sha256.Sum256([]byte(o.Secret))
		have := sha256.Sum256([]byte(got))
		if ok && subtle.ConstantTimeCompare(want[:], have[:]) == 1 {
			return true
		}
	}
	return r.TLS != nil && len(r.TLS.VerifiedChains) > 0
}

// serveObservations takes one agent report. Anything wrong with it is
// refused whole with a 4xx saying why, and the model is left as it was; the
// agent keeps the flows and sends them again with its next report.
func (s *Server) serveObservations(c echo.Context) error {
	o := s.observe
	if o.Apply == nil {
		return echo.NewHTTPError(http.StatusNotFound, "observations are off: start netviz serve with --agent-secret-file or client certificates")
	}
	r := c.Request()
	if !o.agentAuthorized(r) {
		return echo.NewHTTPError(http.StatusUnauthorized, "agent not authenticated: send the shared secret as a bearer token or a client certificate")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "want Content-Type: application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, maxReportBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("report over %d bytes", maxReportBytes))
		}
		return echo.NewHTTPError(http.StatusBadRequest, "reading the report failed")
	}
	var rep model.ObservationReport
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "malformed report: "+err.Error())
	}
	if dec.More() {
		return echo.NewHTTPError(http.StatusBadRequest, "malformed report: more than one JSON value")
	}
	if err := rep.Validate(); err != nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "invalid report: "+err.Error())
	}
	o.Apply(model.ApplyObservation{Report: &rep, At: o.now()})
	return c.NoContent(http.StatusNoContent)
}

// expireObserved ages observed flows out until ctx ends: every few
// seconds, and only while there is something to age (every Apply makes a
// version).
func (s *Server) expireObserved(ctx context.Context) {
	o := s.observe
	if o.Apply == nil {
		return
	}
	tick := min(5*time.Second, max(time.Second, o.window()/10))
	t := time.NewTicker(tick)
	defer t.Stop()
	o.Apply(model.ExpireObserved{Now: o.now(), Window: o.window()})
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if len(s.src.Snapshot().ObservedNodes()) > 0 {
			o.Apply(model.ExpireObserved{Now: o.now(), Window: o.window()})
		}
	}
}
