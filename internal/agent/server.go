package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/yamux"
)

// Defaults of ServerOptions.
const (
	DefaultPort          = "/dev/virtio-ports/org.goldsmith.agent.0"
	DefaultStateDir      = "/var/lib/goldsmith-agent"
	DefaultRebootCommand = "systemctl reboot"
	DefaultPowerOff      = "systemctl poweroff"
	// DefaultWaitBooted waits, each for a bounded time, until systemd has
	// finished the boot and, when the machine has a network interface, until
	// it has a default route (/proc/net/route lists it with destination
	// 00000000: QEMU's NAT leases one over DHCP, which nothing in the boot
	// waits for). It prints the system state, and a note when the route did
	// not come, and always succeeds. The host runs it before the first
	// command of a boot, and the agent before it resumes a run after a
	// reboot.
	DefaultWaitBooted = `command -v systemctl >/dev/null && { timeout 180 systemctl is-system-running --wait || true; }
ls /sys/class/net | grep -qv '^lo$' || exit 0
i=0
until grep -q '^[^[:space:]]*[[:space:]]00000000[[:space:]]' /proc/net/route; do
	[ $i -lt 300 ] || { echo "no default route after 60 s"; break; }
	sleep 0.2; i=$((i+1))
done
exit 0`
)

// ServerOptions configure the agent. Zero values are the defaults.
type ServerOptions struct {
	// StateDir keeps runs across reboots; default DefaultStateDir.
	StateDir string
	// RebootCommand restarts the machine (sh -c); default
	// DefaultRebootCommand.
	RebootCommand string
	// PowerOffCommand stops the machine (sh -c); default DefaultPowerOff.
	PowerOffCommand string
	// Reboot, when set, is called instead of RebootCommand.
	Reboot func(ctx context.Context) error
	// PowerOff, when set, is called instead of PowerOffCommand.
	PowerOff func(ctx context.Context) error
	// WaitBooted is called before a run resumes after a reboot: the agent
	// starts early in the boot, and the rest of the run expects a booted
	// machine with its network, as the host waits for before the first run.
	// Default: sh -c DefaultWaitBooted.
	WaitBooted func(ctx context.Context) error
	// KeepaliveInterval is how often the agent pings the host; default 1s.
	// Keep it well under the host's keepalive timeout.
	KeepaliveInterval time.Duration
	// KeepaliveTimeout is how long without a frame from the host before the
	// agent drops the session and says hello again; default 10s.
	KeepaliveTimeout time.Duration
	// Version is reported by Info; default "dev".
	Version string
	// BootID returns the machine's boot id; default the kernel's
	// /proc/sys/kernel/random/boot_id.
	BootID func() string
	// Logger receives diagnostics; default discards them.
	Logger *slog.Logger
}

func (o ServerOptions) withDefaults() ServerOptions {
	if o.StateDir == "" {
		o.StateDir = DefaultStateDir
	}
	if o.RebootCommand == "" {
		o.RebootCommand = DefaultRebootCommand
	}
	if o.PowerOffCommand == "" {
		o.PowerOffCommand = DefaultPowerOff
	}
	if o.Reboot == nil {
		o.Reboot = shellAction(o.RebootCommand)
	}
	if o.PowerOff == nil {
		o.PowerOff = shellAction(o.PowerOffCommand)
	}
	if o.WaitBooted == nil {
		o.WaitBooted = shellAction(DefaultWaitBooted)
	}
	if o.KeepaliveInterval <= 0 {
		o.KeepaliveInterval = time.Second
	}
	if o.KeepaliveTimeout <= 0 {
		o.KeepaliveTimeout = 10 * time.Second
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.BootID == nil {
		o.BootID = kernelBootID
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func shellAction(command string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		out, err := exec.CommandContext(ctx, "sh", "-c", command).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%q: %w: %s", command, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
}

func kernelBootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// Server is the in-guest agent. Runs belong to the server, not to a port
// or a session: they continue while the host is away and are resumed
// from StateDir after a reboot.
type Server struct {
	opts    ServerOptions
	runs    *runManager
	started time.Time
}

// NewServer prepares the state directory and resumes runs that stopped
// for a reboot. Runs live until ctx ends; call Wait after that.
func NewServer(ctx context.Context, opts ServerOptions) (*Server, error) {
	opts = opts.withDefaults()
	s := &Server{opts: opts, started: time.Now()}
	rm, err := newRunManager(ctx, &s.opts)
	if err != nil {
		return nil, err
	}
	s.runs = rm
	return s, nil
}

// Wait waits for the server's runs to stop (after NewServer's ctx ended).
func (s *Server) Wait() { s.runs.wg.Wait() }

// Serve speaks the protocol on port until ctx ends or the port fails, and
// closes port. End of file on port means the host is not connected yet.
func (s *Server) Serve(ctx context.Context, port io.ReadWriteCloser) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	w := newWire(port)
	m := &guestMachine{
		w: w, timeout: s.opts.KeepaliveTimeout, log: s.opts.Logger, hello: s.hello,
		onSession: func(c *sessionConn) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serveSession(ctx, c)
			}()
		},
	}
	err := runLink(ctx, port, w, m, s.opts.KeepaliveInterval, true)
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("the agent port failed: %w", err)
}

// Serve runs an agent on port until ctx ends, then waits for its runs to
// stop. See Server.
func Serve(ctx context.Context, port io.ReadWriteCloser, opts ServerOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := NewServer(ctx, opts)
	if err != nil {
		port.Close()
		return err
	}
	defer s.Wait()
	defer cancel()
	return s.Serve(ctx, port)
}

// ServePath runs an agent on the port at path (a virtio-serial device, or
// a unix socket for development), reopening it when it fails, until ctx
// ends.
func ServePath(ctx context.Context, path string, opts ServerOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := NewServer(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Wait()
	defer cancel()
	for {
		port, err := OpenPort(path)
		if err == nil {
			err = s.Serve(ctx, port)
		}
		if ctx.Err() != nil {
			return nil
		}
		s.opts.Logger.Warn("agent port unusable; retrying", "port", path, "err", err)
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return nil
		}
	}
}

// OpenPort opens a virtio-serial port for reading and writing; a unix
// socket path is dialed instead.
func OpenPort(path string) (io.ReadWriteCloser, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Type() == os.ModeSocket {
		c, err := net.Dial("unix", path)
		if err != nil {
			return nil, fmt.Errorf("connect to the agent socket: %w", err)
		}
		return c, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open the agent port (is the VM started with a virtserialport named org.goldsmith.agent.0?): %w", err)
	}
	return f, nil
}

func (s *Server) hello() []byte {
	host, _ := os.Hostname()
	b, _ := json.Marshal(helloInfo{Protocol: ProtocolVersion, Version: s.opts.Version, BootID: s.opts.BootID(), Hostname: host, PID: os.Getpid()})
	return b
}

func yamuxConfig() *yamux.Config {
	c := yamux.DefaultConfig()
	c.EnableKeepAlive = false // the link has its own keepalive
	c.LogOutput = io.Discard
	c.StreamOpenTimeout = 30 * time.Second
	return c
}

func (s *Server) serveSession(ctx context.Context, c *sessionConn) {
	mux, err := yamux.Server(c, yamuxConfig())
	if err != nil {
		c.Close()
		return
	}
	defer mux.Close()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-mux.CloseChan():
			cancel()
		case <-sctx.Done():
			mux.Close()
		}
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		st, err := mux.AcceptStream()
		if err != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer st.Close()
			s.handle(sctx, newStreamConn(st))
		}()
	}
}

func (s *Server) handle(ctx context.Context, sc *streamConn) {
	kind, p, err := sc.recv()
	if err != nil || kind != msgRequest {
		return
	}
	var req request
	if err := json.Unmarshal(p, &req); err != nil {
		sc.sendError(codeOther, "malformed request: %v", err)
		return
	}
	switch req.Op {
	case opPing:
		sc.sendJSON(msgReply, struct{}{})
	case opInfo:
		sc.sendJSON(msgReply, s.info())
	case opRun:
		s.serveRun(ctx, sc, req.Body)
	case opExec:
		s.serveExec(ctx, sc, req.Body)
	case opPut:
		s.servePut(sc, req.Body)
	case opGet:
		s.serveGet(sc, req.Body)
	case opReboot, opPowerOff:
		action := s.opts.Reboot
		if req.Op == opPowerOff {
			action = s.opts.PowerOff
		}
		if err := sc.sendJSON(msgReply, struct{}{}); err != nil {
			return
		}
		go func() {
			time.Sleep(200 * time.Millisecond) // let the reply out first
			if err := action(context.WithoutCancel(ctx)); err != nil {
				s.opts.Logger.Error("power action failed", "op", req.Op, "err", err)
			}
		}()
	default:
		sc.sendError(codeOther, "this agent does not know the operation %q; update the agent in the image", req.Op)
	}
}

func (s *Server) info() Info {
	host, _ := os.Hostname()
	return Info{Protocol: ProtocolVersion, Version: s.opts.Version, Hostname: host, BootID: s.opts.BootID(),
		Uptime: uptime(s.started), OS: runtime.GOOS, Arch: runtime.GOARCH, PID: os.Getpid()}
}

// uptime reads the machine's uptime, falling back to the agent's.
func uptime(started time.Time) time.Duration {
	if b, err := os.ReadFile("/proc/uptime"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if v, err := strconv.ParseFloat(f[0], 64); err == nil {
				return time.Duration(v * float64(time.Second))
			}
		}
	}
	return time.Since(started)
}
