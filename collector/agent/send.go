package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// ReportPath is where the server takes reports.
const ReportPath = "/api/v1/observations"

// HTTPSender posts reports as JSON to a netviz server.
type HTTPSender struct {
	// URL is the server's base URL.
	URL string
	// Secret, if set, goes as "Authorization: Bearer <secret>".
	Secret string
	// Client defaults to http.DefaultClient; set one with a TLS config
	// (client certificate) for mutual TLS.
	Client *http.Client
}

// Send posts r and wants a 2xx answer.
func (h *HTTPSender) Send(ctx context.Context, r *model.ObservationReport) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(h.URL, "/")+ReportPath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if h.Secret != "" {
		req.Header.Set("Authorization", "Bearer "+h.Secret)
	}
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return &RefusedError{Status: resp.StatusCode, Message: fmt.Sprintf("server answered %s: %s", resp.Status, bytes.TrimSpace(msg))}
	}
	return nil
}

// RefusedError is a report the server answered with an error status.
type RefusedError struct {
	Status  int
	Message string
}

func (e *RefusedError) Error() string { return e.Message }

// Permanent reports whether sending the same report again cannot help:
// the server found it malformed or invalid (not: unauthenticated, which
// a corrected secret fixes, nor a server error).
func (e *RefusedError) Permanent() bool {
	switch e.Status {
	case 400, 413, 415, 422:
		return true
	}
	return false
}
