package web_test

import (
	"context"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/web"
)

// countingConn counts the bytes read off the wire.
type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// TestWebsocketCompression: a browser-like client that offers permessage-deflate
// gets it; a large push crosses the wire deflated, a small one (the status
// fragments) as it is.
func TestWebsocketCompression(t *testing.T) {
	st := newStore(t)
	r := serve(t, web.New(st, web.Options{}))
	var wire atomic.Int64
	d := websocket.Dialer{
		EnableCompression: true,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{Conn: c, read: &wire}, nil
		},
	}
	conn, resp, err := d.Dial("ws://"+r.addr+"/ws?view="+url.QueryEscape("/services/big"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	resp.Body.Close()
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
		t.Fatalf("compression not negotiated: Sec-WebSocket-Extensions %q", ext)
	}
	readUntil(t, conn, `id="snapshot-version"`)

	// 64 KiB of one letter: a push that deflate shrinks to almost nothing.
	before := wire.Load()
	st.Apply(model.UpsertService{Service: &model.Service{
		ID: "big-1", Name: "big", Provider: model.ProviderNomad, Address: "10.0.0.1", Port: 1,
		Tags: []string{strings.Repeat("x", 64<<10), "big-marker"},
	}})
	msg := readUntil(t, conn, "big-marker")
	if got := wire.Load() - before; got > int64(len(msg)/4) {
		t.Errorf("a %d-byte push took %d bytes on the wire: not compressed", len(msg), got)
	}

	before = wire.Load()
	st.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateDown, Error: "small-marker"}})
	msg = readUntil(t, conn, "small-marker")
	if got := wire.Load() - before; got < int64(len(msg)) {
		t.Errorf("a %d-byte status push took %d bytes on the wire: compressed below the threshold", len(msg), got)
	}
}
