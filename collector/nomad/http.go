package nomad

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	nomadapi "github.com/hashicorp/nomad/api"
)

// httpAPI reads Nomad's HTTP API through the official client (so address,
// token, region, TLS and headers behave exactly as with the nomad CLI) but
// decodes responses into netviz's slim types.
type httpAPI struct {
	client *nomadapi.Client
	// namespace is "*" (every namespace) unless the NOMAD_NAMESPACE
	// environment variable names one; netviz has no flag for it.
	namespace string
}

// get reads path into out and returns Nomad's X-Nomad-Index. namespace ""
// means the collector's namespace.
func (n *httpAPI) get(ctx context.Context, path, namespace string, out any) (uint64, error) {
	if namespace == "" {
		namespace = n.namespace
	}
	q := (&nomadapi.QueryOptions{Namespace: namespace}).WithContext(ctx)
	meta, err := n.client.Raw().Query(path, out, q)
	if err != nil {
		return 0, err
	}
	return meta.LastIndex, nil
}

// stream opens a streaming GET (the event stream) and returns its body.
func (n *httpAPI) stream(ctx context.Context, path string) (io.ReadCloser, error) {
	q := (&nomadapi.QueryOptions{Namespace: n.namespace}).WithContext(ctx)
	return n.client.Raw().Response(path, q)
}

// statusCode extracts the HTTP status of a failed Nomad API call (0 if none).
func statusCode(err error) int {
	var ure nomadapi.UnexpectedResponseError
	if errors.As(err, &ure) {
		return ure.StatusCode()
	}
	var pure *nomadapi.UnexpectedResponseError
	if errors.As(err, &pure) {
		return pure.StatusCode()
	}
	return 0
}

func isNotFound(err error) bool  { return statusCode(err) == http.StatusNotFound }
func isForbidden(err error) bool { return statusCode(err) == http.StatusForbidden }

// describe turns an API error into a short message for the status line.
func describe(err error) string {
	if code := statusCode(err); code != 0 {
		return fmt.Sprintf("HTTP %d: %v", code, err)
	}
	return err.Error()
}

// CountBytes makes client count the bytes of every response body it reads
// and returns the running total, for the sync and catch-up logs. Call it
// once, right after nomadapi.NewClient(cfg), with cfg.HttpClient (which
// NewClient fills in and keeps using).
func CountBytes(c *http.Client) func() int64 {
	if c == nil {
		return func() int64 { return 0 }
	}
	var n atomic.Int64
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = countingTransport{base: base, n: &n}
	return n.Load
}

// countingTransport adds the size of each response body to n as it is read.
type countingTransport struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil && resp.Body != nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: t.n}
	}
	return resp, err
}

// CloseIdleConnections passes on to the wrapped transport: without it,
// http.Client.CloseIdleConnections would not reach the pool.
func (t countingTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	k, err := b.ReadCloser.Read(p)
	b.n.Add(int64(k))
	return k, err
}
