//go:build scale

package scale

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsWatcher is a websocket client of a page's live view standing in for a
// browser tab: it receives (and decompresses) every push as a tab does,
// but neither parses nor swaps the HTML, so it costs the machine far less
// than a tab. It records when a push first carries, in the element it
// watches, a text other than the one it was armed with.
type wsWatcher struct {
	conn   *websocket.Conn
	mark   *regexp.Regexp
	mu     sync.Mutex
	armed  bool
	before string
	seen   time.Time
	done   chan struct{}
}

// dialWatcher connects a watcher of page's element with data-testid mark
// (whose text must be plain) to the server at base (http://host:port).
func dialWatcher(ctx context.Context, base, page, mark string) (*wsWatcher, error) {
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws?view=" + url.QueryEscape(page)
	d := websocket.Dialer{EnableCompression: true, HandshakeTimeout: browserWait}
	conn, _, err := d.DialContext(ctx, u, nil)
	if err != nil {
		return nil, fmt.Errorf("websocket %s: %w", u, err)
	}
	re := regexp.MustCompile(`data-testid="` + regexp.QuoteMeta(mark) + `"[^>]*>([^<]*)<`)
	w := &wsWatcher{conn: conn, mark: re, done: make(chan struct{})}
	go w.read()
	return w, nil
}

// read receives pushes until the connection closes.
func (w *wsWatcher) read() {
	defer close(w.done)
	for {
		_, msg, err := w.conn.ReadMessage()
		if err != nil {
			return
		}
		at := time.Now()
		m := w.mark.FindSubmatch(msg)
		if m == nil {
			continue
		}
		w.mu.Lock()
		if w.armed && w.seen.IsZero() && strings.TrimSpace(string(m[1])) != w.before {
			w.seen = at
		}
		w.mu.Unlock()
	}
}

// arm starts watching for a count other than before.
func (w *wsWatcher) arm(before string) {
	w.mu.Lock()
	w.armed, w.before, w.seen = true, before, time.Time{}
	w.mu.Unlock()
}

// seenAt is when the change arrived (zero while it has not).
func (w *wsWatcher) seenAt() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen
}

// close ends the connection and waits for the reader.
func (w *wsWatcher) close() {
	w.conn.Close()
	<-w.done
}
