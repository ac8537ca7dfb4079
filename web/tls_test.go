package web_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/netviz/netviz/internal/testcert"
	"github.com/netviz/netviz/web"
)

// httpsClient is a client of the test CA, presenting its client
// certificate when withCert is set.
func httpsClient(t *testing.T, certs *testcert.Set, withCert bool) *http.Client {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: certs.ClientConfig(withCert)}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// TestServeTLS: with Options.TLS the server speaks HTTPS only (pages and
// the websocket, over HTTP/1.1), with a certificate made in the test.
func TestServeTLS(t *testing.T) {
	certs := testcert.New(t)
	cfg, err := web.LoadTLS(certs.CertFile, certs.KeyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	r := serve(t, web.New(newStore(t), web.Options{TLS: cfg}))

	resp, err := httpsClient(t, certs, false).Get("https://" + r.addr + "/api/v1/overview")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"version"`) || resp.TLS == nil {
		t.Errorf("https overview: %d (TLS %v) %.80s", resp.StatusCode, resp.TLS != nil, body)
	}

	// Plain HTTP on the TLS port gets no page.
	if resp, err := http.Get("http://" + r.addr + "/api/v1/overview"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP served on the TLS port")
		}
	}

	d := websocket.Dialer{TLSClientConfig: certs.ClientConfig(false)}
	conn, resp, err := d.Dial("wss://"+r.addr+"/ws?view="+url.QueryEscape("/"), nil)
	if resp != nil {
		resp.Body.Close()
	}
	if err != nil {
		t.Fatalf("wss: %v", err)
	}
	defer conn.Close()
	readFrom(t, conn, 1)
}

// TestServeMutualTLS: with a client CA, a client without a certificate
// signed by it is refused during the handshake; one with it is served.
func TestServeMutualTLS(t *testing.T) {
	certs := testcert.New(t)
	cfg, err := web.LoadTLS(certs.CertFile, certs.KeyFile, certs.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientAuth != tls.RequireAndVerifyClientCert {
		t.Errorf("ClientAuth = %v, want RequireAndVerifyClientCert", cfg.ClientAuth)
	}
	r := serve(t, web.New(newStore(t), web.Options{TLS: cfg}))
	u := "https://" + r.addr + "/healthz"

	if resp, err := httpsClient(t, certs, false).Get(u); err == nil {
		resp.Body.Close()
		t.Errorf("a client without a certificate got %d", resp.StatusCode)
	}
	other := testcert.New(t) // a certificate from another CA
	foreign := certs.ClientConfig(false)
	foreign.Certificates = []tls.Certificate{other.Client}
	tr := &http.Transport{TLSClientConfig: foreign}
	defer tr.CloseIdleConnections()
	if resp, err := (&http.Client{Transport: tr}).Get(u); err == nil {
		resp.Body.Close()
		t.Errorf("a client with another CA's certificate got %d", resp.StatusCode)
	}
	resp, err := httpsClient(t, certs, true).Get(u)
	if err != nil {
		t.Fatalf("a client with its certificate: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a client with its certificate: %d", resp.StatusCode)
	}
}

// TestLoadTLSErrors: missing halves and unreadable files are reported.
func TestLoadTLSErrors(t *testing.T) {
	certs := testcert.New(t)
	for _, c := range []struct{ cert, key, ca, want string }{
		{certs.CertFile, "", "", "--tls-key"},
		{certs.CertFile, certs.CertFile, "", "TLS certificate"},
		{certs.CertFile, certs.KeyFile, certs.KeyFile, "no PEM certificate"},
		{certs.CertFile, certs.KeyFile, "/nonexistent/ca.pem", "TLS client CA"},
	} {
		if _, err := web.LoadTLS(c.cert, c.key, c.ca); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadTLS(%q, %q, %q) = %v, want an error about %s", c.cert, c.key, c.ca, err, c.want)
		}
	}
}
