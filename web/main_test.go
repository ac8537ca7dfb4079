package web_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/web"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// server is shut down by its test, and shutdown must end all it started.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitLimit bounds every wait for a push. It is a safety net against a hung
// test, not a timing assertion: pushes normally arrive within milliseconds.
const waitLimit = 20 * time.Second

// newStore is a store holding the fixture cluster.
func newStore(t testing.TB) *model.Store {
	t.Helper()
	st := model.NewStore()
	st.Apply(fixture.Cluster()...)
	return st
}

// handlerServer serves the fixture store's Handler with httptest: no hub,
// for tests of plain requests. It returns the store and the base URL.
func handlerServer(t *testing.T) (*model.Store, string) {
	t.Helper()
	st := newStore(t)
	ts := httptest.NewServer(web.New(st, web.Options{}).Handler())
	t.Cleanup(ts.Close)
	return st, ts.URL
}

// running is a server serving on a loopback port.
type running struct {
	srv  *web.Server
	addr string
	stop func() error
}

// serve runs srv on 127.0.0.1 until the test ends (or stop is called) and
// checks that it shuts down cleanly.
func serve(t testing.TB, srv *web.Server) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	stopped := false
	var result error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			result = <-done
		}
		return result
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &running{srv: srv, addr: ln.Addr().String(), stop: stop}
}

// dial opens a websocket on a view, with an optional Origin header.
func dial(t *testing.T, addr, view, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	u := "ws://" + addr + "/ws?view=" + url.QueryEscape(view)
	conn, resp, err := websocket.DefaultDialer.Dial(u, h)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if conn != nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, resp, err
}

// mustDial dials and fails the test on error.
func mustDial(t *testing.T, addr, view string) *websocket.Conn {
	t.Helper()
	conn, _, err := dial(t, addr, view, "")
	if err != nil {
		t.Fatalf("dial %s: %v", view, err)
	}
	return conn
}

// quickServer is a store holding the fixture cluster and a server over it
// whose hub flushes 1 ms after a change and keeps sendBuffer pushes per
// client; the caller serves it (after any fake it puts in).
func quickServer(t testing.TB, sendBuffer int) (*model.Store, *web.Server) {
	t.Helper()
	st := newStore(t)
	srv := web.New(st, web.Options{})
	web.SetTuning(srv, time.Millisecond, sendBuffer)
	return st, srv
}

// readUntil reads pushes until one contains want, and returns it.
func readUntil(t testing.TB, conn *websocket.Conn, want string) string {
	t.Helper()
	return readWhere(t, conn, "containing "+strconv.Quote(want), func(msg string) bool { return strings.Contains(msg, want) })
}

// readFrom returns the first push at version v or later, skipping older
// ones (the hub's first render may still be on its way).
func readFrom(t testing.TB, conn *websocket.Conn, v uint64) string {
	t.Helper()
	return readWhere(t, conn, "at version "+strconv.FormatUint(v, 10)+" or later", func(msg string) bool { return pushedVersion(msg) >= v })
}

// readWhere reads pushes until one satisfies ok, and returns it.
func readWhere(t testing.TB, conn *websocket.Conn, what string, ok func(msg string) bool) string {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(waitLimit)); err != nil {
		t.Fatal(err)
	}
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for a push %s: %v", what, err)
		}
		if ok(string(msg)) {
			return string(msg)
		}
	}
}

// isClosed reports whether err says the peer closed or dropped the connection.
func isClosed(err error) bool {
	var ce *websocket.CloseError
	var ne net.Error
	return errors.As(err, &ce) || (err != nil && !(errors.As(err, &ne) && ne.Timeout()))
}
