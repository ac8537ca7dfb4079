package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/diagram"
)

// The job check (/check and POST /api/v1/check): a viewer sends a job file;
// Nomad parses it (with the server's client), plans it only with a token
// the viewer gives, and netviz places it into a dry run of the viewer's
// snapshot. Nothing is registered, written or kept: the file, variables,
// token, report and picture live for the one request.

// MaxCheckFile is the largest job file /check takes (pasted or uploaded);
// the whole request may be a little larger (variables, form fields).
const MaxCheckFile = 1 << 20

const (
	// maxCheckBody bounds a check request's body before anything reads it.
	// Everything below it is parsed in memory: a multipart form never
	// spills to a temporary file.
	maxCheckBody = MaxCheckFile + 64<<10
	// checkTimeout bounds one check: Nomad's parse and plan, the dry run
	// and the picture.
	checkTimeout = 30 * time.Second
	// maxChecks is how many checks run at once; each is a dry run of the
	// model with every lint and reach answer, then a layout.
	maxChecks = 2
	// Names of the check form's CSRF cookie, field and context value.
	checkCSRFCookie = "netviz_check_csrf"
	checkCSRFField  = "csrf"
	checkCSRFKey    = "netviz.check.csrf"
	// newAllocHref is where the picture's would-be allocations link: the
	// placement section, as they have no page of their own.
	newAllocHref = "#check-placements"
)

// CheckRequest is a job file to check.
type CheckRequest struct {
	// Name names the file in Nomad's messages.
	Name string
	HCL  string
	// Vars are HCL variables as key=value.
	Vars []string
	// PlanToken is the viewer's Nomad token for the plan; empty plans
	// nothing (the report is then an estimate). Never the server's.
	PlanToken string
}

// CheckFunc is the Nomad half of a check: parse, convert, plan. The server
// runs it with the request's context. Its errors are a *CheckParseError
// for a file (or variables) Nomad cannot parse, ErrCheckForbidden when the
// server's token may not parse, else anything (Nomad unreachable).
type CheckFunc func(ctx context.Context, r CheckRequest) (check.Job, check.Plan, error)

// CheckParseError is Nomad's own complaint about a job file or its
// variables, with the position it names.
type CheckParseError struct{ Message string }

func (e *CheckParseError) Error() string { return e.Message }

// ErrCheckForbidden: the server's Nomad token may not parse job files.
var ErrCheckForbidden = errors.New("the server's Nomad token may not parse job files (it needs the namespace's parse-job capability, part of Nomad's read policy)")

// checkRoutes adds /check and its JSON twin. Without a CheckFunc the page
// (linked from every page's navigation) says the check is off, and the
// posts answer 404.
func (s *Server) checkRoutes(e *echo.Echo) {
	if s.check == nil {
		e.GET("/check", func(c echo.Context) error {
			return s.checkPage(c, http.StatusOK, views.CheckView{Error: "The job check is off: this server has no Nomad client to parse job files with."})
		})
		return
	}
	s.checkSlots = make(chan struct{}, maxChecks)
	limit := middleware.BodyLimit(fmt.Sprint(maxCheckBody))
	// The form carries its own anti-forgery token whether or not viewer
	// login is on: the check spends the server's Nomad access and CPU.
	csrf := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup: "form:" + checkCSRFField, ContextKey: checkCSRFKey, CookieName: checkCSRFCookie, CookiePath: "/check",
		CookieHTTPOnly: true, CookieSecure: s.tls != nil, CookieSameSite: http.SameSiteStrictMode,
	})
	e.GET("/check", s.serveCheckForm, csrf)
	e.POST("/check", s.postCheck, limit, csrf)
	// The API takes JSON only: a cross-site form cannot send it.
	e.POST("/api/v1/check", s.postCheckJSON, limit)
}

// checkPage renders the page with the form (holding what was sent, never
// the token) and whatever the view says.
func (s *Server) checkPage(c echo.Context, status int, v views.CheckView) error {
	v.Form.CSRF, _ = c.Get(checkCSRFKey).(string)
	v.Form.MaxBytes = MaxCheckFile
	snap := s.src.Snapshot()
	chrome := views.Chrome{Assets: s.assets, Version: snap.Version(), Status: snap.Status()}
	// The page holds the job the viewer sent: no cache may keep it.
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, status, views.Document(views.CheckPage(chrome, v)))
}

// serveCheckForm is the empty form.
func (s *Server) serveCheckForm(c echo.Context) error {
	return s.checkPage(c, http.StatusOK, views.CheckView{})
}

// postCheck runs a check from the form and shows the report.
func (s *Server) postCheck(c echo.Context) error {
	req, err := checkFormRequest(c)
	form := views.CheckForm{HCL: req.HCL, Vars: strings.Join(req.Vars, "\n")}
	if err != nil {
		return s.checkPage(c, statusOf(err), views.CheckView{Form: form, Error: errText(err)})
	}
	rep, err := s.runCheck(c, req, true)
	v := views.CheckView{Form: form}
	var pe *CheckParseError
	switch {
	case errors.As(err, &pe):
		v.ParseError = pe.Message
	case err != nil:
		v.Error = errText(err)
	default:
		v.Report, v.Diagram, v.DiagramError = &rep.report, rep.diagram, rep.diagramErr
	}
	return s.checkPage(c, statusOf(err), v)
}

// checkFormRequest reads the form: the uploaded file if one was sent,
// else the pasted text; the variables one a line; the plan token.
func checkFormRequest(c echo.Context) (CheckRequest, error) {
	req := CheckRequest{Name: "job.nomad.hcl", HCL: c.FormValue("hcl"), PlanToken: strings.TrimSpace(c.FormValue("token"))}
	for line := range strings.Lines(c.FormValue("vars")) {
		if line = strings.TrimSpace(line); line != "" {
			req.Vars = append(req.Vars, line)
		}
	}
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		if fh.Size > MaxCheckFile {
			return req, errTooLarge
		}
		f, err := fh.Open()
		if err != nil {
			return req, err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, MaxCheckFile+1))
		if err != nil {
			return req, err
		}
		req.HCL, req.Name = string(b), cleanFileName(fh.Filename)
	}
	if len(req.HCL) > MaxCheckFile {
		return req, errTooLarge
	}
	if strings.TrimSpace(req.HCL) == "" {
		return req, errNoJob
	}
	return req, nil
}

var (
	errTooLarge = echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the job file is larger than %d KiB", MaxCheckFile>>10))
	errNoJob    = echo.NewHTTPError(http.StatusBadRequest, "paste a job file or upload one")
	errBusy     = echo.NewHTTPError(http.StatusServiceUnavailable, "other checks are running; try again in a moment")
)

// cleanFileName keeps an uploaded file's base name for Nomad's messages,
// or a default when it has none worth keeping.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || len(name) > 200 || strings.ContainsAny(name, "\x00\r\n") {
		return "job.nomad.hcl"
	}
	return name
}

// checkJSONBody is POST /api/v1/check's body (docs/api.md).
type checkJSONBody struct {
	HCL  string   `json:"hcl"`
	Name string   `json:"name"`
	Vars []string `json:"vars"`
}

// checkErrorBody is the API's error body; ParseError is Nomad's message.
type checkErrorBody struct {
	Error      string `json:"error"`
	ParseError string `json:"parse_error,omitempty"`
}

// postCheckJSON is the JSON twin: the report as `netviz check --json`
// writes it. The plan token comes in X-Nomad-Token, as Nomad's own API
// takes it.
func (s *Server) postCheckJSON(c echo.Context) error {
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); mt != echo.MIMEApplicationJSON {
		return c.JSON(http.StatusUnsupportedMediaType, checkErrorBody{Error: "send the job as application/json"})
	}
	var body checkJSONBody
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		status := http.StatusBadRequest
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			status = http.StatusRequestEntityTooLarge
		}
		return c.JSON(status, checkErrorBody{Error: "bad body: " + err.Error()})
	}
	req := CheckRequest{Name: cleanFileName(body.Name), HCL: body.HCL, Vars: body.Vars, PlanToken: strings.TrimSpace(c.Request().Header.Get("X-Nomad-Token"))}
	if body.Name == "" {
		req.Name = "job.nomad.hcl"
	}
	if strings.TrimSpace(req.HCL) == "" {
		return c.JSON(http.StatusBadRequest, checkErrorBody{Error: "no job: send its HCL in \"hcl\""})
	}
	if len(req.HCL) > MaxCheckFile {
		return c.JSON(http.StatusRequestEntityTooLarge, checkErrorBody{Error: errText(errTooLarge)})
	}
	rep, err := s.runCheck(c, req, false)
	if err != nil {
		var pe *CheckParseError
		if errors.As(err, &pe) {
			return c.JSON(http.StatusUnprocessableEntity, checkErrorBody{Error: "Nomad cannot parse the job", ParseError: pe.Message})
		}
		return c.JSON(statusOf(err), checkErrorBody{Error: errText(err)})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, rep.report)
}

// checked is one check's outcome.
type checked struct {
	report     check.Report
	diagram    templ.Component
	diagramErr string
}

// runCheck parses and plans through the CheckFunc, then predicts on the
// viewer's snapshot and, for the page, draws the dry run.
func (s *Server) runCheck(c echo.Context, req CheckRequest, draw bool) (checked, error) {
	select {
	case s.checkSlots <- struct{}{}:
		defer func() { <-s.checkSlots }()
	default:
		return checked{}, errBusy
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), checkTimeout)
	defer cancel()
	job, plan, err := s.check(ctx, req)
	if err != nil {
		return checked{}, err
	}
	snap := s.snapshot(c)
	var out checked
	var after *model.Snapshot
	out.report, after = check.Predict(snap, job, plan)
	if draw {
		d, err := diagram.Check(ctx, after, views.CheckFilter(out.report), views.CheckMarks(snap, after, out.report, newAllocHref))
		if err != nil {
			out.diagramErr = "The picture could not be drawn: " + err.Error()
		} else {
			out.diagram = d
		}
	}
	return out, nil
}

// statusOf is the HTTP status of a check's error.
func statusOf(err error) int {
	var he *echo.HTTPError
	var pe *CheckParseError
	switch {
	case err == nil:
		return http.StatusOK
	case errors.As(err, &he):
		return he.Code
	case errors.As(err, &pe):
		return http.StatusUnprocessableEntity
	case errors.Is(err, ErrCheckForbidden):
		return http.StatusForbidden
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	}
	return http.StatusBadGateway
}

// errText is what a viewer is told about a check's error.
func errText(err error) string {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return fmt.Sprint(he.Message)
	}
	return err.Error()
}
