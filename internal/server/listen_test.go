package server_test

import (
	"net"
	"os"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/server"
)

// TestListenPortInUse: a port in use is an error naming the process that
// holds it (this test's own process here).
func TestListenPortInUse(t *testing.T) {
	t.Parallel()
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port
	pid, name, ok := server.PortHolder(port)
	if !ok || pid != os.Getpid() || name == "" {
		t.Errorf("PortHolder(%d) = %d, %q, %v; want this process (%d)", port, pid, name, ok, os.Getpid())
	}
	_, err = server.Listen(held.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "already in use by "+name) {
		t.Errorf("Listen on a held port: %v", err)
	}
}

func TestCheckLocation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		location string
		ok       bool
	}{
		{"", true},
		{"/var/lib/goldsmith/images", true},
		{"images", true},
		{"s3://bucket", true},
		{"S3://bucket/prefix/", true},
		{"s3:/bad", false},
		{"s3:bucket", false},
		{"s3://", false},
		{"http://minio:9000/bucket", false},
	} {
		if err := server.CheckLocation(tc.location); (err == nil) != tc.ok {
			t.Errorf("CheckLocation(%q) = %v, want ok %v", tc.location, err, tc.ok)
		}
	}
}
