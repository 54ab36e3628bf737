package server

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Listen opens the API's TCP listener. A port in use is reported with the
// process that holds it, when /proc tells (Linux, and the process is
// visible to this user).
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	_, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	holder := ""
	if pid, name, ok := PortHolder(port); ok {
		holder = fmt.Sprintf(" by %s (pid %d)", name, pid)
	}
	return nil, fmt.Errorf("listen on %s: the port is already in use%s; stop that process or choose another address with --listen (nothing was written)", addr, holder)
}

// PortHolder finds the process listening on a TCP port from /proc/net/tcp
// and tcp6 (the socket's inode) and /proc/*/fd (who has that socket
// open). ok is false when it cannot tell.
func PortHolder(port int) (pid int, name string, ok bool) {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		listeningInodes(f, port, inodes)
	}
	if len(inodes) == 0 {
		return 0, "", false
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		target, err := os.Readlink(fd)
		if err != nil || !strings.HasPrefix(target, "socket:[") {
			continue
		}
		if inodes[strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")] {
			procDir := filepath.Dir(filepath.Dir(fd))
			pid, _ = strconv.Atoi(filepath.Base(procDir))
			comm, _ := os.ReadFile(filepath.Join(procDir, "comm"))
			return pid, strings.TrimSpace(string(comm)), true
		}
	}
	return 0, "", false
}

// listeningInodes adds the inodes of the sockets in LISTEN state (0A) on
// port from a /proc/net/tcp-format file.
func listeningInodes(file string, port int, out map[string]bool) {
	f, err := os.Open(file)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" {
			continue
		}
		_, hexPort, _ := strings.Cut(fields[1], ":")
		if p, err := strconv.ParseUint(hexPort, 16, 16); err == nil && int(p) == port {
			out[fields[9]] = true
		}
	}
}
