package qemu

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeQMP serves QMP on cfg's socket like QEMU does. With eventFirst, the
// first connection sends an event between the qmp_capabilities command
// and its reply, as QEMU may while it loads a saved state.
func fakeQMP(t *testing.T, cfg Config, eventFirst bool) *atomic.Int32 {
	t.Helper()
	l, err := net.Listen("unix", cfg.QMPPath())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var conns atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n := conns.Add(1)
			go serveQMP(c, eventFirst && n == 1)
		}
	}()
	return &conns
}

func serveQMP(c net.Conn, eventFirst bool) {
	defer c.Close()
	c.Write([]byte(`{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""}, "capabilities": ["oob"]}}` + "\r\n"))
	// Commands are JSON values, not lines (go-qemu sends them without a
	// newline), as QEMU's parser reads them.
	dec := json.NewDecoder(c)
	for {
		var cmd struct {
			Execute string `json:"execute"`
			ID      any    `json:"id"`
		}
		if err := dec.Decode(&cmd); err != nil {
			return
		}
		reply := map[string]any{"return": map[string]any{}}
		switch cmd.Execute {
		case "qmp_capabilities":
			if eventFirst {
				c.Write([]byte(`{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "RESUME"}` + "\r\n"))
				time.Sleep(50 * time.Millisecond) // the event and the reply arrive in two reads
			}
		case "query-status":
			reply["return"] = map[string]any{"status": "running", "singlestep": false, "running": true}
		}
		if cmd.ID != nil {
			reply["id"] = cmd.ID
		}
		b, _ := json.Marshal(reply)
		c.Write(append(b, '\r', '\n'))
	}
}

// TestQMPRepliesPairWithCommands: an event before the capabilities reply
// leaves that reply over, to answer the next command in go-qemu's
// monitor; connectQMP notices (the reply has no id) and connects again.
func TestQMPRepliesPairWithCommands(t *testing.T) {
	for _, eventFirst := range []bool{false, true} {
		t.Run(map[bool]string{false: "in-order", true: "event-before-capabilities-reply"}[eventFirst], func(t *testing.T) {
			dir, err := os.MkdirTemp("", "gsq")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			v := &VM{Config: Config{Dir: dir}, stderr: &tailBuffer{}, done: make(chan struct{})}
			conns := fakeQMP(t, v.Config, eventFirst)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := v.connectQMP(ctx); err != nil {
				t.Fatal(err)
			}
			defer v.closeMonitor()
			for i := 0; i < 3; i++ {
				out, err := v.run(ctx, "query-status", nil)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(out), `"status":"running"`) {
					t.Fatalf("query-status returned %s", out)
				}
			}
			want := int32(1)
			if eventFirst {
				want = 2
			}
			if got := conns.Load(); got != want {
				t.Errorf("%d connections, want %d", got, want)
			}
		})
	}
}
