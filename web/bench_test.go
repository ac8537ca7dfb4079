package web_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/web"
)

// BenchmarkPushFanout measures a model change reaching every open page: one
// Apply, then each of 100 clients of the overview reads the push carrying it.
// The debounce is shortened to 1 ms so the figure is the hub's own cost
// (render once, fan out), not the wait it chooses.
func BenchmarkPushFanout(b *testing.B) {
	st := model.NewStore()
	srv := web.New(st, web.Options{})
	web.SetTuning(srv, time.Millisecond, 8)
	r := serve(b, srv)

	const clients = 100
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+r.addr+"/ws?view=%2F", nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if _, _, err := c.ReadMessage(); err != nil {
			b.Fatal(err)
		}
		conns[i] = c
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		// One node renamed each time: the page stays the same size.
		name := "bench-node-" + strconv.Itoa(i)
		st.Apply(model.UpsertNode{Node: &model.Node{ID: "bench-node", Name: name}})
		for _, c := range conns {
			readUntil(b, c, name)
		}
	}
}
