package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/internal/testcert"
	"github.com/netviz/netviz/web"
)

const testSecret = "s3cret-for-the-observe-test"

func post(t *testing.T, c *http.Client, url, auth, ctype string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/observations", bytes.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func goodReport(t *testing.T) []byte {
	b, err := json.Marshal(model.ObservationReport{Node: fixture.NodeA, Flows: []model.ObservedFlow{{
		Alloc: "x", Side: model.SideClient, LocalIP: "172.26.64.2", RemoteIP: "172.26.64.3", RemotePort: 8080, Established: true, Count: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestObservationsIngest: only an authenticated agent's well-formed,
// bounded report reaches the model; everything else is refused whole.
func TestObservationsIngest(t *testing.T) {
	st := newStore(t)
	ts := httptest.NewServer(web.New(st, web.Options{Observe: web.ObserveOptions{Apply: st.Apply, Secret: testSecret}}).Handler())
	t.Cleanup(ts.Close)
	c := ts.Client()
	bearer := "Bearer " + testSecret
	huge := append([]byte(`{"node":"n","flows":[`), bytes.Repeat([]byte(`{"side":"client","local_ip":"1.1.1.1","remote_ip":"1.1.1.1","remote_port":1},`), 60000)...)
	cases := []struct {
		name, auth, ctype string
		body              []byte
		want              int
	}{
		{"no credentials", "", "application/json", goodReport(t), 401},
		{"wrong secret", "Bearer " + strings.Repeat("x", len(testSecret)), "application/json", goodReport(t), 401},
		{"basic auth", "Basic " + testSecret, "application/json", goodReport(t), 401},
		{"not json", bearer, "text/plain", goodReport(t), 415},
		{"garbage", bearer, "application/json", []byte(`{"node":`), 400},
		{"unknown field", bearer, "application/json", []byte(`{"node":"n","evil":1}`), 400},
		{"two values", bearer, "application/json", append(goodReport(t), goodReport(t)...), 400},
		{"hostile address", bearer, "application/json", []byte(`{"node":"n","flows":[{"side":"client","local_ip":"<script>","remote_ip":"1.1.1.1","remote_port":1}]}`), 422},
		{"too big", bearer, "application/json", huge, 413},
	}
	before := st.Snapshot().Version()
	for _, tc := range cases {
		if got := post(t, c, ts.URL, tc.auth, tc.ctype, tc.body); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if v := st.Snapshot().Version(); v != before || len(st.Snapshot().ObservedNodes()) != 0 {
		t.Fatalf("a refused report changed the model (version %d → %d)", before, v)
	}
	if got := post(t, c, ts.URL, bearer, "application/json; charset=utf-8", goodReport(t)); got != http.StatusNoContent {
		t.Fatalf("good report: status %d", got)
	}
	if st.Snapshot().ObservedNode(fixture.NodeA) == nil {
		t.Fatal("the accepted report is not in the model")
	}
}

// TestObservationsMutualTLS: without a secret, a verified client
// certificate is the agent's credential.
func TestObservationsMutualTLS(t *testing.T) {
	certs := testcert.New(t)
	st := newStore(t)
	tlsCfg, err := web.LoadTLS(certs.CertFile, certs.KeyFile, certs.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(web.New(st, web.Options{Observe: web.ObserveOptions{Apply: st.Apply}}).Handler())
	ts.TLS = tlsCfg
	ts.StartTLS()
	t.Cleanup(ts.Close)
	for _, withCert := range []bool{false, true} {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: certs.ClientConfig(withCert)}}
		want := map[bool]int{false: 401, true: 204}[withCert]
		got := 0
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/observations", bytes.NewReader(goodReport(t)))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := c.Do(req); err == nil {
			got = resp.StatusCode
			resp.Body.Close()
		} else if !withCert {
			got = 401 // the handshake itself refused the certificate-less client
		}
		if got != want {
			t.Errorf("client certificate %v: status %d, want %d", withCert, got, want)
		}
	}
}
