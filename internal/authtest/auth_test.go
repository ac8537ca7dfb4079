//go:build integration

package authtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	nomadapi "github.com/hashicorp/nomad/api"
)

// viewer is a browser-like client of one server: a cookie jar, and
// redirects not followed so tests see them.
type viewer struct {
	t   *testing.T
	srv *server
	hc  *http.Client
}

func newViewer(t *testing.T, srv *server) *viewer {
	jar, _ := cookiejar.New(nil)
	return &viewer{t: t, srv: srv, hc: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// get fetches a path and returns the status, Location and body.
func (v *viewer) get(path string) (int, string, string) {
	v.t.Helper()
	resp, err := v.hc.Get(v.srv.url + path)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrf loads the sign-in form and returns its anti-forgery token (the
// jar keeps the matching cookie).
func (v *viewer) csrf() string {
	v.t.Helper()
	code, _, body := v.get("/sign-in")
	m := csrfInput.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		v.t.Fatalf("sign-in form: %d, no csrf field in %q", code, body)
	}
	return m[1]
}

// post posts a form and returns the status and Location.
func (v *viewer) post(path string, form url.Values) (int, string) {
	v.t.Helper()
	resp, err := v.hc.PostForm(v.srv.url+path, form)
	if err != nil {
		v.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// signIn signs in with the tokens and fails the test unless it worked.
func (v *viewer) signIn(nomadToken, consulToken string) {
	v.t.Helper()
	code, loc := v.post("/sign-in", url.Values{"csrf": {v.csrf()}, "nomad_token": {nomadToken}, "consul_token": {consulToken}, "next": {"/"}})
	if code != http.StatusSeeOther || loc != "/" {
		v.t.Fatalf("sign-in: %d to %q, want 303 to /", code, loc)
	}
}

// waitFor polls cond every 200 ms until it holds or the deadline passes.
func waitFor(t *testing.T, what string, within time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// secrets are every token of the test cluster: none may reach a page or a log.
func secrets() []string {
	return []string{env.teamA.SecretID, env.teamB.SecretID, env.consulAlpha, env.c.NomadToken, env.c.ConsulToken}
}

func noSecrets(t *testing.T, where, body string) {
	t.Helper()
	for _, s := range secrets() {
		if strings.Contains(body, s) {
			t.Errorf("%s holds a token secret", where)
		}
	}
}

// pages are the addresses every viewer reads: pages, their JSON twins and
// the exports.
var pages = []string{"/", "/topology", "/services", "/reach", "/api/v1/overview", "/api/v1/topology", "/api/v1/services",
	"/api/v1/graph", "/api/v1/warnings", "/api/v1/reach/matrix", "/?format=json", "/topology?format=dot"}

// Two tokens with different namespaces see different pages, and neither
// sees the other's jobs or services anywhere.
func TestViewersSeeOnlyTheirNamespaces(t *testing.T) {
	srv := startServer(t, time.Hour, time.Minute)
	a, b := newViewer(t, srv), newViewer(t, srv)
	a.signIn(env.teamA.SecretID, env.consulAlpha)
	b.signIn(env.teamB.SecretID, "")

	// The collector may still be reading; wait until each sees its job.
	for _, c := range []struct {
		v          *viewer
		own, other string
	}{{a, "alpha", "bravo"}, {b, "bravo", "alpha"}} {
		waitFor(t, c.own+" in the overview", time.Minute, func() error {
			if _, _, body := c.v.get("/api/v1/graph"); !strings.Contains(body, `"`+c.own+`"`) {
				return fmt.Errorf("no job %s in %s", c.own, body)
			}
			return nil
		})
		for _, p := range pages {
			code, _, body := c.v.get(p)
			if code >= 400 && code != http.StatusNotFound {
				t.Errorf("%s as %s: %d", p, c.own, code)
			}
			if strings.Contains(body, c.other) || strings.Contains(body, "team-"+c.other[:1]) {
				t.Errorf("%s as viewer of %s shows %s", p, c.own, c.other)
			}
			noSecrets(t, p, body)
		}
	}
	// A's Consul token reads alpha's Consul service; B gave none, so no
	// Consul service at all.
	if _, _, body := a.get("/api/v1/services"); !strings.Contains(body, "alpha-csvc") || !strings.Contains(body, "alpha-nsvc") {
		t.Errorf("viewer a misses its services: %s", body)
	}
	if _, _, body := b.get("/api/v1/services"); strings.Contains(body, "csvc") || !strings.Contains(body, "bravo-nsvc") {
		t.Errorf("viewer b (no Consul token) services: %s", body)
	}
	// Nodes: b's policy reads them, a's does not.
	if _, _, body := a.get("/api/v1/graph"); strings.Contains(body, `"netviz-dev"`) && strings.Contains(body, `"datacenter"`) {
		t.Errorf("viewer a (no node read) sees the node: %s", body)
	}
	// Allocation pages of the other namespace do not exist for them.
	if code, _, _ := a.get("/api/v1/services/bravo-nsvc"); code != http.StatusNotFound {
		t.Errorf("viewer a reads bravo's service page: %d", code)
	}

	// A management token sees both.
	m := newViewer(t, srv)
	m.signIn(env.c.NomadToken, "")
	if _, _, body := m.get("/api/v1/graph"); !strings.Contains(body, `"alpha"`) || !strings.Contains(body, `"bravo"`) {
		t.Errorf("management token misses a job: %s", body)
	}
}

// dialWS opens the live view of a page with the viewer's cookies.
func (v *viewer) dialWS(view string) *websocket.Conn {
	v.t.Helper()
	u, _ := url.Parse(v.srv.url)
	h := http.Header{}
	for _, c := range v.hc.Jar.Cookies(u) {
		h.Add("Cookie", c.String())
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+u.Host+"/ws?view="+url.QueryEscape(view), h)
	if err != nil {
		code := 0
		if resp != nil {
			code = resp.StatusCode
		}
		v.t.Fatalf("websocket %s: %v (%d)", view, err, code)
	}
	v.t.Cleanup(func() { conn.Close() })
	return conn
}

// Websocket pushes follow the scope: a change in team-b reaches b's page
// and never a's, and a's frames never name team-b's jobs.
func TestWebsocketPushesAreScoped(t *testing.T) {
	srv := startServer(t, time.Hour, time.Minute)
	a, b := newViewer(t, srv), newViewer(t, srv)
	a.signIn(env.teamA.SecretID, env.consulAlpha)
	b.signIn(env.teamB.SecretID, "")
	wa, wb := a.dialWS("/"), b.dialWS("/")
	framesA := collect(wa)
	framesB := collect(wb)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := deployJob(ctx, env.c, "team-b", "bravo-extra"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b's page pushed with bravo-extra", time.Minute, func() error {
		if !strings.Contains(framesB.all(), "bravo-extra") {
			return fmt.Errorf("no push to b names bravo-extra yet")
		}
		return nil
	})
	got := framesA.all()
	if !strings.Contains(got, "alpha") {
		t.Errorf("a's pushes never showed alpha: %q", got)
	}
	if strings.Contains(got, "bravo") || strings.Contains(got, "team-b") {
		t.Errorf("a's pushes show team-b: %q", got)
	}
	noSecrets(t, "websocket frames", got+framesB.all())
}

// frames gathers a websocket's messages in the background.
type frames struct {
	mu  chan struct{}
	buf *strings.Builder
}

func collect(conn *websocket.Conn) *frames {
	f := &frames{mu: make(chan struct{}, 1), buf: &strings.Builder{}}
	go func() {
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			f.mu <- struct{}{}
			f.buf.Write(msg)
			<-f.mu
		}
	}()
	return f
}

func (f *frames) all() string {
	f.mu <- struct{}{}
	defer func() { <-f.mu }()
	return f.buf.String()
}

// A token deleted in Nomad loses access at the next re-check: pages send
// to sign-in, the API answers 401, the websocket closes.
func TestRevokedTokenLosesAccess(t *testing.T) {
	srv := startServer(t, time.Hour, time.Second)
	ctx := context.Background()
	tok, err := newToken(ctx, env.c, "viewer-revoked", "team-a-read")
	if err != nil {
		t.Fatal(err)
	}
	v := newViewer(t, srv)
	v.signIn(tok.SecretID, "")
	if code, _, _ := v.get("/"); code != http.StatusOK {
		t.Fatalf("signed in, / answers %d", code)
	}
	closed := readUntilClosed(v.dialWS("/"))
	if _, err := env.c.Nomad().ACLTokens().Delete(tok.AccessorID, (&nomadapi.WriteOptions{}).WithContext(ctx)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "revoked session sent to sign-in", 30*time.Second, func() error {
		code, loc, _ := v.get("/")
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/sign-in") {
			return fmt.Errorf("/ answers %d to %q", code, loc)
		}
		return nil
	})
	if code, _, _ := v.get("/api/v1/overview"); code != http.StatusUnauthorized {
		t.Errorf("API after revocation: %d, want 401", code)
	}
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Error("websocket still open after the token was revoked")
	}
}

// A session past its lifetime sends the page to sign in, and back after,
// and its websocket closes.
func TestExpiredSessionRedirects(t *testing.T) {
	srv := startServer(t, 4*time.Second, time.Minute)
	v := newViewer(t, srv)
	v.signIn(env.teamA.SecretID, "")
	closed := readUntilClosed(v.dialWS("/"))
	waitFor(t, "expired session sent to sign-in", 30*time.Second, func() error {
		code, loc, _ := v.get("/topology?namespace=team-a")
		if code != http.StatusSeeOther || loc != "/sign-in?next="+url.QueryEscape("/topology?namespace=team-a") {
			return fmt.Errorf("/topology answers %d to %q", code, loc)
		}
		return nil
	})
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Error("websocket still open after the session expired")
	}
}

// readUntilClosed reads a websocket in the background; the channel closes
// with it.
func readUntilClosed(ws *websocket.Conn) <-chan struct{} {
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	return closed
}

// Posts without the anti-forgery token, or from another site, are
// refused; so is a page without a session.
func TestCSRF(t *testing.T) {
	srv := startServer(t, time.Hour, time.Minute)
	v := newViewer(t, srv)
	code, _ := v.post("/sign-in", url.Values{"nomad_token": {env.teamA.SecretID}})
	if code != http.StatusBadRequest && code != http.StatusForbidden {
		t.Errorf("sign-in without csrf: %d, want 400 or 403", code)
	}
	v.csrf()
	code, _ = v.post("/sign-in", url.Values{"csrf": {"forged"}, "nomad_token": {env.teamA.SecretID}})
	if code != http.StatusForbidden {
		t.Errorf("sign-in with a forged csrf token: %d, want 403", code)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.url+"/sign-out", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := v.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-out: %d, want 403", resp.StatusCode)
	}
	if code, loc, _ := newViewer(t, srv).get("/"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/sign-in") {
		t.Errorf("/ without a session: %d to %q", code, loc)
	}
	// Sign out works with the token, and ends the session.
	v.signIn(env.teamA.SecretID, "")
	if _, _, body := v.get("/"); !strings.Contains(body, `href="/sign-out"`) {
		t.Error("a signed-in page offers no sign-out link")
	}
	if code, _ := v.post("/sign-out", url.Values{"csrf": {v.csrf()}}); code != http.StatusSeeOther {
		t.Errorf("sign-out: %d", code)
	}
	if code, _, _ := v.get("/"); code != http.StatusSeeOther {
		t.Errorf("/ after sign-out: %d, want 303", code)
	}
}

// Guessing tokens hits the rate limit; a canary token tried is never
// logged nor shown.
func TestSignInRateLimitAndNoTokenInLogs(t *testing.T) {
	srv := startServer(t, time.Hour, time.Minute)
	v := newViewer(t, srv)
	newViewer(t, srv).signIn(env.teamA.SecretID, env.consulAlpha) // something to log
	// Shaped like a real secret, so Nomad looks it up (and refuses it).
	canary := fmt.Sprintf("0b5e1c7e-4f7d-4c1a-9c55-%012d", time.Now().UnixNano()%1e12)
	tok := v.csrf()
	limited := false
	for i := 0; i < 20 && !limited; i++ {
		code, _ := v.post("/sign-in", url.Values{"csrf": {tok}, "nomad_token": {canary}})
		switch code {
		case http.StatusTooManyRequests:
			limited = true
		case http.StatusForbidden:
		default:
			t.Fatalf("wrong token: %d, want 403 or 429; logs:\n%s", code, env.logs.String())
		}
	}
	if !limited {
		t.Error("20 quick sign-in posts never hit 429")
	}
	logs := env.logs.String()
	if strings.Contains(logs, canary) {
		t.Error("the canary token reached the logs")
	}
	noSecrets(t, "logs", logs)
	if !strings.Contains(logs, "signed in") {
		t.Error("no sign-in was logged at all: is the log captured?")
	}
}

// A token whose policies change is shown its new rights at the next
// re-check: the open websocket closes, and pages show the new namespace
// and no longer the old one.
func TestChangedRightsApply(t *testing.T) {
	srv := startServer(t, time.Hour, time.Second)
	ctx := context.Background()
	tok, err := newToken(ctx, env.c, "viewer-moving", "team-a-read")
	if err != nil {
		t.Fatal(err)
	}
	v := newViewer(t, srv)
	v.signIn(tok.SecretID, "")
	if _, _, body := v.get("/api/v1/graph"); !strings.Contains(body, `"alpha"`) || strings.Contains(body, "bravo") {
		t.Fatalf("before the change: %s", body)
	}
	closed := readUntilClosed(v.dialWS("/"))
	tok.Policies = []string{"team-b-read"}
	if _, _, err := env.c.Nomad().ACLTokens().Update(tok, (&nomadapi.WriteOptions{}).WithContext(ctx)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new rights shown", 30*time.Second, func() error {
		_, _, body := v.get("/api/v1/graph")
		if !strings.Contains(body, `"bravo"`) || strings.Contains(body, "alpha") {
			return fmt.Errorf("graph still shows the old rights")
		}
		return nil
	})
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Error("the websocket opened under the old rights is still open")
	}
}
