package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/web"
	"github.com/netviz/netviz/web/auth"
)

// loginServer serves the fixture store with viewer login against a Nomad
// that is not there (port 1 on loopback): what needs no answer from Nomad
// is tested here; the real checks are in internal/authtest.
func loginServer(t *testing.T) string {
	t.Helper()
	cfg := nomadapi.DefaultConfig()
	cfg.Address = "http://127.0.0.1:1"
	ts := httptest.NewServer(web.New(newStore(t), web.Options{Login: &auth.Checker{Nomad: cfg}}).Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

func noRedirects(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestLoginGuardsEverythingButOperations(t *testing.T) {
	base := loginServer(t)
	hc := noRedirects(t)
	for path, want := range map[string]int{
		"/":                            http.StatusSeeOther,
		"/topology?namespace=x":        http.StatusSeeOther,
		"/api/v1/overview":             http.StatusUnauthorized,
		"/api/v1/graph":                http.StatusUnauthorized,
		"/ws?view=/":                   http.StatusUnauthorized,
		"/healthz":                     http.StatusOK,
		"/metrics":                     http.StatusOK,
		"/sign-in":                     http.StatusOK,
		"/sign-out":                    http.StatusOK,
		"/sign-in?next=//evil.example": http.StatusOK,
	} {
		resp, err := hc.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		if want == http.StatusSeeOther && resp.Header.Get("Location") != "/sign-in?next="+url.QueryEscape(path) {
			t.Errorf("GET %s: to %q", path, resp.Header.Get("Location"))
		}
		if strings.Contains(string(body), "evil.example") {
			t.Errorf("GET %s: the sign-in form keeps a foreign destination", path)
		}
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// A wrong token is refused without asking Nomad, posts need the CSRF
// token, and quick posts from one address hit 429.
func TestSignInFormRefusesAndLimits(t *testing.T) {
	base := loginServer(t)
	hc := noRedirects(t)
	resp, err := hc.PostForm(base+"/sign-in", url.Values{"nomad_token": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("post without csrf: %d, want 400", resp.StatusCode)
	}
	resp, err = hc.Get(base + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field: %s", body)
	}
	codes := map[int]int{}
	for range 8 {
		resp, err := hc.PostForm(base+"/sign-in", url.Values{"csrf": {string(m[1])}, "nomad_token": {"hunter2"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		codes[resp.StatusCode]++
		if strings.Contains(string(b), "hunter2") {
			t.Error("the refused token is echoed back")
		}
	}
	if codes[http.StatusForbidden] == 0 || codes[http.StatusTooManyRequests] == 0 {
		t.Errorf("answers %v, want 403s then 429s", codes)
	}
}
