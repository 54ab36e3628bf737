package agent

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"log/slog"
	"time"
)

// ProtocolVersion is the wire protocol's version; host and agent must
// speak the same one.
const ProtocolVersion = 1

// helloInfo is the payload of a hello frame.
type helloInfo struct {
	Protocol int    `json:"protocol"`
	Version  string `json:"version"`
	BootID   string `json:"bootId"`
	Hostname string `json:"hostname"`
	PID      int    `json:"pid"`
}

func randomID() uint64 {
	var b [8]byte
	for {
		rand.Read(b[:])
		if v := binary.BigEndian.Uint64(b[:]); v != 0 {
			return v
		}
	}
}

func nonceBytes(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func readNonce(p []byte) uint64 {
	if len(p) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(p[:8])
}

// hostMachine is the host's side: it waits for a hello, answers it, and
// keeps the session alive. A hello with a new session id replaces the
// current session at once: the agent restarted.
type hostMachine struct {
	w         *wire
	timeout   time.Duration
	log       *slog.Logger
	onSession func(c *sessionConn, h helloInfo)
	onLost    func(reason string)

	nonce    uint64
	cur      *sessionConn
	lastRecv time.Time
}

func (m *hostMachine) start(time.Time) {
	m.nonce = randomID()
	m.w.control(frameResync, 0, nonceBytes(m.nonce))
}

func (m *hostMachine) handle(f frame, now time.Time) {
	match := m.cur != nil && f.sid == m.cur.sid
	switch f.typ {
	case frameHello:
		if match {
			m.lastRecv = now
			m.w.control(frameWelcome, f.sid, nonceBytes(m.nonce))
			return
		}
		var h helloInfo
		if err := json.Unmarshal(f.payload, &h); err != nil {
			m.log.Warn("ignoring a malformed hello", "err", err)
			return
		}
		if m.cur != nil {
			m.lose("the agent started a new session (it restarted or the guest rebooted)")
		}
		m.cur = newSessionConn(f.sid, m.w)
		m.lastRecv = now
		m.w.control(frameWelcome, f.sid, nonceBytes(m.nonce))
		m.onSession(m.cur, h)
	case frameData:
		if match {
			m.lastRecv = now
			m.cur.deliver(f.payload)
		}
	case framePing:
		if match {
			m.lastRecv = now
		}
	case frameBye:
		if match {
			m.lose("the agent ended the session (it is stopping or the guest is rebooting)")
		}
	}
}

func (m *hostMachine) lose(reason string) {
	m.cur.Close()
	m.cur = nil
	m.nonce = randomID()
	m.onLost(reason)
}

func (m *hostMachine) tick(now time.Time) {
	if m.cur != nil && m.cur.isClosed() {
		m.lose("the multiplexer on the session failed")
	}
	if m.cur != nil && now.Sub(m.lastRecv) > m.timeout {
		m.lose("the agent stopped answering")
	}
	if m.cur != nil {
		m.w.control(framePing, m.cur.sid, nil)
		return
	}
	m.w.control(frameResync, 0, nonceBytes(m.nonce))
}

func (m *hostMachine) stop() {
	if m.cur != nil {
		m.lose("the connection to the agent's port closed")
	}
}

// guestMachine is the agent's side: it says hello with a fresh session id
// until a host answers, then keeps the session alive. Any frame of its
// session from the host counts as an answer.
type guestMachine struct {
	w         *wire
	timeout   time.Duration
	log       *slog.Logger
	hello     func() []byte
	onSession func(c *sessionConn)

	sid         uint64
	established bool
	hostNonce   uint64
	conn        *sessionConn
	lastRecv    time.Time
}

func (m *guestMachine) start(time.Time) { m.handshake() }

func (m *guestMachine) handshake() {
	m.sid = randomID()
	m.established = false
	m.w.control(frameHello, m.sid, m.hello())
}

func (m *guestMachine) establish(nonce uint64, now time.Time) {
	m.established = true
	m.hostNonce = nonce
	m.lastRecv = now
	m.conn = newSessionConn(m.sid, m.w)
	m.log.Info("host connected", "session", m.sid)
	m.onSession(m.conn)
}

func (m *guestMachine) drop(reason string) {
	m.log.Info("session ended", "session", m.sid, "reason", reason)
	m.conn.Close()
	m.conn = nil
	m.handshake()
}

func (m *guestMachine) handle(f frame, now time.Time) {
	own := f.sid == m.sid
	switch f.typ {
	case frameWelcome:
		if own && !m.established {
			m.establish(readNonce(f.payload), now)
		} else if own {
			m.lastRecv = now
			m.hostNonce = readNonce(f.payload)
		}
	case frameResync:
		if !m.established {
			m.w.control(frameHello, m.sid, m.hello())
		} else if readNonce(f.payload) != m.hostNonce {
			m.drop("a new host connected")
		}
	case frameData, framePing:
		if !own {
			return
		}
		if !m.established {
			m.establish(0, now)
		}
		m.lastRecv = now
		if f.typ == frameData {
			m.conn.deliver(f.payload)
		}
	}
}

func (m *guestMachine) tick(now time.Time) {
	switch {
	case !m.established:
		m.w.control(frameHello, m.sid, m.hello())
	case now.Sub(m.lastRecv) > m.timeout:
		m.drop("the host stopped answering")
	case m.conn.isClosed():
		m.drop("the multiplexer on the session failed")
	default:
		m.w.control(framePing, m.sid, nil)
	}
}

func (m *guestMachine) stop() {
	if m.established {
		m.w.control(frameBye, m.sid, nil)
		m.conn.Close()
	}
}
