package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/netviz/netviz/web"
)

// getHost requests path with the given Host header.
func getHost(t *testing.T, base, path, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestForeignHostRefused: a DNS-rebinding page (its own name resolving to
// the dashboard's loopback address) is refused on pages, the API and the
// websocket, with 421 and a message naming the host and the flag; the
// loopback names, IP addresses and configured names are served.
func TestForeignHostRefused(t *testing.T) {
	st := newStore(t)
	srv := web.New(st, web.Options{AllowedHosts: []string{"netviz.example", "proxy.example:8443"}, Listen: "dash.internal:7777"})
	r := serve(t, srv)
	base := "http://" + r.addr

	for _, path := range []string{"/", "/api/v1/overview", "/api/v1/graph", "/metrics", "/static/x/app.js"} {
		code, body := getHost(t, base, path, "attacker.example:7777")
		if code != http.StatusMisdirectedRequest {
			t.Errorf("%s with Host attacker.example: %d, want 421", path, code)
			continue
		}
		var e struct{ Error string }
		if err := json.Unmarshal([]byte(body), &e); err != nil || !strings.Contains(e.Error, `"attacker.example:7777"`) ||
			!strings.Contains(e.Error, "--allowed-hosts") {
			t.Errorf("%s: body %q, want an error naming the host and --allowed-hosts", path, body)
		}
	}

	// The websocket: the upgrade is refused before the hub sees it.
	h := http.Header{"Host": {"attacker.example"}, "Origin": {"http://attacker.example"}}
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+r.addr+"/ws?view="+url.QueryEscape("/"), h)
	if conn != nil {
		conn.Close()
		t.Error("websocket with a foreign Host was accepted")
	}
	if err == nil || resp == nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("websocket with a foreign Host: %v, %v; want 421", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}

	for _, host := range []string{r.addr, "localhost:7777", "LOCALHOST", "app.localhost:1", "[::1]:7777", "10.1.2.3:7777",
		"netviz.example", "netviz.example:443", "proxy.example:8443", "dash.internal:7777"} {
		if code, body := getHost(t, base, "/api/v1/overview", host); code != http.StatusOK {
			t.Errorf("Host %s: %d %s, want 200", host, code, body)
		}
	}
	for _, host := range []string{"proxy.example:80", "netviz.example.attacker.example", "localhost.attacker.example"} {
		if code, _ := getHost(t, base, "/api/v1/overview", host); code != http.StatusMisdirectedRequest {
			t.Errorf("Host %s: %d, want 421", host, code)
		}
	}
	conn = mustDial(t, r.addr, "/")
	readFrom(t, conn, 1)

	// "*" turns the check off.
	_, open := serveStore(t, st, web.Options{AllowedHosts: []string{"*"}})
	if code, _ := getHost(t, open, "/api/v1/overview", "anything.example"); code != http.StatusOK {
		t.Errorf("with * allowed: %d, want 200", code)
	}
}
