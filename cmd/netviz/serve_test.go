package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/testcert"
)

// TestCheckExposure: a loopback address needs nothing; any other (all
// interfaces, a LAN address, a name) needs client certificates or
// --insecure-no-auth.
func TestCheckExposure(t *testing.T) {
	for _, c := range []struct {
		listen         string
		mtls, insecure bool
		refused        bool
	}{
		{"127.0.0.1:7777", false, false, false},
		{"127.9.9.9:7777", false, false, false},
		{"[::1]:7777", false, false, false},
		{"localhost:7777", false, false, false},
		{":7777", false, false, true},
		{"0.0.0.0:7777", false, false, true},
		{"[::]:7777", false, false, true},
		{"10.0.0.5:7777", false, false, true},
		{"netviz.example:7777", false, false, true},
		{"0.0.0.0:7777", true, false, false},
		{"0.0.0.0:7777", false, true, false},
	} {
		err := checkExposure(c.listen, c.mtls, c.insecure)
		if (err != nil) != c.refused {
			t.Errorf("checkExposure(%q, mtls %v, insecure %v) = %v, want refused %v", c.listen, c.mtls, c.insecure, err, c.refused)
		}
	}
}

// TestServeRefusesExposedWithoutAuth: `netviz serve --listen 0.0.0.0:…`
// stops at once, saying why and what to do, before reading any cluster.
func TestServeRefusesExposedWithoutAuth(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--listen", "0.0.0.0:0"},
		{"--listen", ":0", "--no-consul"},
	} {
		var out, errOut bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := run(ctx, args, &out, &errOut)
		cancel()
		msg := errOut.String()
		if code != 1 || !strings.Contains(msg, "refusing to serve") || !strings.Contains(msg, "--insecure-no-auth") ||
			!strings.Contains(msg, "--tls-client-ca") {
			t.Errorf("netviz %v: exit %d, stderr %q; want 1 and a message naming --insecure-no-auth and --tls-client-ca", args, code, msg)
		}
	}
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--tls-client-ca", "ca.pem"}, io.Discard, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "--tls-client-ca needs --tls-cert") {
		t.Errorf("--tls-client-ca alone: exit %d, %q", code, errOut.String())
	}
}

// TestLogFormat: text or JSON as asked; auto is JSON when the output is
// not a terminal (here a buffer); anything else is refused.
func TestLogFormat(t *testing.T) {
	for _, c := range []struct {
		format string
		json   bool
	}{{"text", false}, {"json", true}, {"auto", true}, {"JSON", true}} {
		var buf bytes.Buffer
		f := sourceFlags{logLevel: "info", logFormat: c.format}
		log, err := f.logger(&buf)
		if err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		log.Info("hello", "k", "v")
		isJSON := json.Valid(bytes.TrimSpace(buf.Bytes()))
		if isJSON != c.json {
			t.Errorf("--log-format %s wrote %q, JSON %v, want %v", c.format, buf.String(), isJSON, c.json)
		}
	}
	f := sourceFlags{logLevel: "info", logFormat: "xml"}
	if _, err := f.logger(io.Discard); err == nil {
		t.Error("--log-format xml accepted")
	}
}

// syncBuffer is a buffer written by one goroutine and read by another.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tokenServer is a fake Nomad or Consul that fails every request, noting
// whether the canary token came with it; addrEnv points the client at it.
func tokenServer(t *testing.T, addrEnv, header, token string, code int, body string) *atomic.Bool {
	t.Helper()
	var saw atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(header) == token {
			saw.Store(true)
		}
		http.Error(w, body, code)
	}))
	t.Cleanup(ts.Close)
	t.Setenv(addrEnv, ts.URL)
	return &saw
}

// TestServeTLSKeepsTokensSecret runs `netviz serve` as released, with
// HTTPS from a certificate made here, against a Nomad and a Consul that
// refuse it, and with canary tokens in NOMAD_TOKEN and CONSUL_HTTP_TOKEN:
// the tokens reach the servers, and never the logs (JSON, since stderr is
// not a terminal), the pages, the API, /readyz or /metrics.
func TestServeTLSKeepsTokensSecret(t *testing.T) {
	const nomadCanary, consulCanary = "canary-nomad-5f1d2c9e-0b7a", "canary-consul-8e3a6d41-c2f9"
	t.Setenv("NOMAD_TOKEN", nomadCanary)
	t.Setenv("CONSUL_HTTP_TOKEN", consulCanary)
	t.Setenv("NOMAD_NAMESPACE", "")
	t.Setenv("NETVIZ_DATA_DIR", t.TempDir()) // history records beside the test, not in the home directory
	sawNomad := tokenServer(t, "NOMAD_ADDR", "X-Nomad-Token", nomadCanary, http.StatusInternalServerError, "internal error")
	sawConsul := tokenServer(t, "CONSUL_HTTP_ADDR", "X-Consul-Token", consulCanary, http.StatusForbidden, "ACL not found")
	certs := testcert.New(t)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--log-level", "debug",
			"--tls-cert", certs.CertFile, "--tls-key", certs.KeyFile}, io.Discard, &logs)
	}()

	url := waitLog(t, &logs, exited, func(entry map[string]any) string {
		if entry["msg"] == "netviz dashboard" {
			u, _ := entry["url"].(string)
			return u
		}
		return ""
	})
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("dashboard url %q, want https on the loopback address", url)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !sawNomad.Load() || !sawConsul.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("the token reached Nomad: %v, Consul: %v", sawNomad.Load(), sawConsul.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}

	tr := &http.Transport{TLSClientConfig: certs.ClientConfig(false)}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	var pages strings.Builder
	for _, p := range []string{"/", "/topology", "/services", "/reach", "/api/v1/overview", "/api/v1/graph", "/api/v1/warnings",
		"/readyz", "/healthz", "/metrics"} {
		resp, err := client.Get(url + strings.TrimPrefix(p, "/"))
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if p == "/readyz" && resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("/readyz %d while Nomad fails, want 503", resp.StatusCode)
		}
		pages.Write(body)
	}

	cancel()
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("serve exited %d after cancel, want 0", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	all := logs.String()
	if !strings.Contains(all, "internal error") && !strings.Contains(all, "500") {
		t.Errorf("the logs never mention Nomad's failure; the test saw too little:\n%s", all)
	}
	for _, line := range strings.Split(strings.TrimSpace(all), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %q", line)
		}
	}
	for _, canary := range []string{nomadCanary, consulCanary} {
		if strings.Contains(all, canary) {
			t.Errorf("a token is in the logs:\n%s", all)
		}
		if strings.Contains(pages.String(), canary) {
			t.Error("a token is in a page or API answer")
		}
	}
}

// waitLog waits for a JSON log line for which find returns something.
func waitLog(t *testing.T, logs *syncBuffer, exited <-chan int, find func(map[string]any) string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(logs.String(), "\n") {
			var entry map[string]any
			if json.Unmarshal([]byte(line), &entry) == nil {
				if v := find(entry); v != "" {
					return v
				}
			}
		}
		select {
		case code := <-exited:
			t.Fatalf("serve exited %d:\n%s", code, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no such log line:\n%s", logs.String())
	return ""
}

// TestWebOptions: the web flags and their environment variables reach the
// server's options.
func TestWebOptions(t *testing.T) {
	t.Setenv("NETVIZ_ALLOWED_HOSTS", "netviz.example, proxy.example:8443")
	certs := testcert.New(t)
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f.register(fs)
	f.registerWeb(fs)
	if err := fs.Parse([]string{"--listen", "0.0.0.0:7777", "--tls-cert", certs.CertFile, "--tls-key", certs.KeyFile,
		"--tls-client-ca", certs.CAFile}); err != nil {
		t.Fatal(err)
	}
	opts, err := f.webOptions()
	if err != nil {
		t.Fatalf("webOptions: %v (client certificates are authentication enough for 0.0.0.0)", err)
	}
	if !slices.Equal(opts.AllowedHosts, []string{"netviz.example", "proxy.example:8443"}) || opts.Listen != "0.0.0.0:7777" ||
		opts.TLS == nil || opts.TLS.ClientCAs == nil {
		t.Errorf("options %+v", opts)
	}
}
