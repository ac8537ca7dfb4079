package nomad

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

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

// decodeFrames reads newline-delimited event frames from r and calls fn for
// each non-heartbeat frame until r ends or fn fails.
func decodeFrames(r io.Reader, fn func(*eventFrame) error) error {
	dec := json.NewDecoder(r)
	for {
		var f eventFrame
		if err := dec.Decode(&f); err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return fmt.Errorf("decode event frame: %w", err)
		}
		if f.Index == 0 && len(f.Events) == 0 {
			continue // heartbeat {}
		}
		if err := fn(&f); err != nil {
			return err
		}
	}
}
