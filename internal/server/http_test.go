package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/server"
	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
)

// long is a timeout the test never reaches: only the timeout under test
// may close a connection.
const long = 5 * time.Minute

// startHTTP runs an API-only server with h's connection bounds and
// returns its host:port.
func startHTTP(t *testing.T, h server.HTTPConfig) string {
	t.Helper()
	srv := servertest.Start(t, server.Config{Build: server.BuildConfig{Workers: -1}, HTTP: h})
	return strings.TrimPrefix(srv.Endpoint, "http://")
}

// request sends an unsigned GET on c and reads its answer (an AWS error:
// the request is not signed), leaving c as a keep-alive connection.
func request(c net.Conn, r *bufio.Reader) error {
	if _, err := io.WriteString(c, "GET /ListComponents HTTP/1.1\r\nHost: goldsmith\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// closedWithin waits up to d for the server to close c, and reports how
// long that took.
func closedWithin(c net.Conn, r *bufio.Reader, d time.Duration) (time.Duration, error) {
	start := time.Now()
	if err := c.SetReadDeadline(start.Add(d)); err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, r)
	took := time.Since(start)
	switch {
	case err != nil:
		return took, fmt.Errorf("still open after %s (%w)", took.Round(time.Millisecond), err)
	case n > 0:
		return took, fmt.Errorf("closed after %s, but sent %d unexpected bytes first", took.Round(time.Millisecond), n)
	}
	return took, nil
}

// TestIdleConnectionsClose: 2,000 keep-alive connections that have been
// answered and then say nothing are all closed once the idle timeout
// passes.
func TestIdleConnectionsClose(t *testing.T) {
	t.Parallel()
	const conns, idle = 2000, time.Second
	addr := startHTTP(t, server.HTTPConfig{MaxConnections: 4 * conns, IdleTimeout: idle,
		ReadHeaderTimeout: long, ReadTimeout: long, WriteTimeout: long})
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			c, err := net.DialTimeout("tcp", addr, 30*time.Second)
			if err != nil {
				errs <- fmt.Errorf("connection %d: dial: %w", i, err)
				return
			}
			defer c.Close()
			r := bufio.NewReader(c)
			sent := time.Now() // the idle time starts after the answer
			if err := request(c, r); err != nil {
				errs <- fmt.Errorf("connection %d: request: %w", i, err)
				return
			}
			// All 2,000 are open and idle at once: none may close early.
			_, err = closedWithin(c, r, idle+30*time.Second)
			if took := time.Since(sent); err == nil && took < idle*9/10 {
				err = fmt.Errorf("closed %s after its request, before the idle timeout", took)
			}
			if err != nil {
				errs <- fmt.Errorf("connection %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 5 {
			t.Error(err)
		}
	}
	if n > 0 {
		t.Errorf("%d of %d idle connections were not closed by the idle timeout", n, conns)
	}
}

// TestSlowBodyClosed: a request that announces a 100 KB body and sends
// one byte loses its connection once the read timeout passes.
func TestSlowBodyClosed(t *testing.T) {
	t.Parallel()
	const read = time.Second
	addr := startHTTP(t, server.HTTPConfig{ReadTimeout: read, ReadHeaderTimeout: long, WriteTimeout: long, IdleTimeout: long})
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := io.WriteString(c, "POST /CreateComponent HTTP/1.1\r\nHost: goldsmith\r\nContent-Type: application/json\r\n"+
		"Content-Length: 102400\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	if err := c.SetReadDeadline(start.Add(read + 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	// The server may answer (an error) before it gives up on the body; the
	// connection must close all the same.
	if resp, err := http.ReadResponse(r, nil); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		t.Logf("answered %s before the body came", resp.Status)
	}
	if _, err := closedWithin(c, r, read+30*time.Second); err != nil {
		t.Fatalf("a request with a missing body: %v", err)
	}
	if took := time.Since(start); took < read/2 || took > read+10*time.Second {
		t.Errorf("closed %s after the request started, want about the read timeout %s", took.Round(time.Millisecond), read)
	}
}

// TestConnectionBound: with MaxConnections open, another client is not
// served until one of them closes.
func TestConnectionBound(t *testing.T) {
	t.Parallel()
	const limit = 5
	addr := startHTTP(t, server.HTTPConfig{MaxConnections: limit, ReadHeaderTimeout: long, ReadTimeout: long,
		WriteTimeout: long, IdleTimeout: long})
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	var held []net.Conn
	for range limit {
		c, r := dial()
		if err := request(c, r); err != nil {
			t.Fatalf("one of the first %d connections: %v", limit, err)
		}
		held = append(held, c)
	}
	// The kernel accepts the next connection; the server must not serve it.
	c, r := dial()
	answered := make(chan error, 1)
	go func() { answered <- request(c, r) }()
	select {
	case err := <-answered:
		t.Fatalf("connection %d was served while %d were open (err %v)", limit+1, limit, err)
	case <-time.After(2 * time.Second):
	}
	held[0].Close()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("connection %d, once another closed: %v", limit+1, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("connection %d was not served after another closed", limit+1)
	}
}
