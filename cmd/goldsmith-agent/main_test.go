package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
)

// TestServesAsGoldsmithAgent starts the agent the way base images do
// (`goldsmith agent`, on a port that is a unix socket here, as QEMU's end
// of the virtio-serial port is) and asks it who it is.
func TestServesAsGoldsmithAgent(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conns := make(chan net.Conn)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	served := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		served <- run(ctx, []string{"agent", "--port", sock, "--state-dir", t.TempDir()}, &logs)
	}()
	c, err := agent.NewClient(ctx, agent.ClientOptions{Dial: func(ctx context.Context) (io.ReadWriteCloser, error) {
		select {
		case conn := <-conns:
			return conn, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}})
	if err != nil {
		t.Fatalf("connect to the agent: %v; its log:\n%s", err, logs.String())
	}
	defer c.Close()
	info, err := c.Info(ctx)
	if err != nil || info.Version != version {
		t.Fatalf("Info = %+v, %v; want version %q", info, err, version)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("the agent ended with %v after its context ended; want nil", err)
	}
}

func TestFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string
		wantOut string
	}{
		{"version", []string{"--version"}, "", "goldsmith-agent " + version},
		{"version after agent", []string{"agent", "-version"}, "", "goldsmith-agent " + version},
		{"stray argument", []string{"agent", "serve"}, `unexpected arguments ["serve"]`, "Usage: goldsmith-agent"},
		{"unknown flag", []string{"--nope"}, "flag provided but not defined: -nope", "Usage: goldsmith-agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := run(t.Context(), tt.args, &out)
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run(%q) = %v, want error %q", tt.args, err, tt.wantErr)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("run(%q) printed %q, want %q in it", tt.args, out.String(), tt.wantOut)
			}
		})
	}
}
