// Package agent is the host↔guest protocol of build VMs: the in-guest
// agent (cmd/goldsmith-agent, Serve) and the host's Client. There is no SSH
// and no network: the two talk over a virtio-serial port, which QEMU shows
// the host as a unix socket and the guest as
// /dev/virtio-ports/org.goldsmith.agent.0.
//
// # Layers
//
// A virtio-serial port is a byte stream without connection semantics: the
// host's socket stays open across guest reboots and agent restarts, sees
// no end of file, and stale bytes from a previous agent (or for it) may
// sit in either direction. The protocol therefore has three layers.
//
// Frames (frame.go). Everything on the port is a frame: magic, type,
// session id, length, a CRC-32C of the header, the payload (at most
// 32 KiB) and a CRC-32C of the payload. The decoder skips anything that
// is not a valid frame one byte at a time, so garbage before, between and
// inside sessions is harmless. The header's own checksum stops a forged
// length in garbage from stalling the decoder; a genuine frame cut short
// by a dying sender is abandoned after 3 seconds.
//
// Sessions (handshake.go). The agent repeatedly sends hello frames with a
// fresh random session id (and its boot id, version and protocol) until
// the host answers with a welcome for that id; the host ignores everything
// until it sees a hello. Every later frame carries the session id, and
// frames of other sessions are dropped. A hello with a new id replaces the
// host's session at once (the agent restarted); a bye frame ends it (the
// agent is stopping). Both sides ping every KeepaliveInterval and drop a
// session that is silent for KeepaliveTimeout (5 s on the host by
// default), so a dead guest is noticed within seconds. A host that starts
// without a session sends resync frames carrying a per-session nonce; an
// agent that believes it has a session with another nonce drops it and says
// hello again, so a new host process (say `goldsmith debug` after a build
// exited) is answered at once.
//
// Streams (msg.go). The session's bytes, carried in data frames, run
// hashicorp/yamux, so calls share the port concurrently: a run streaming
// events, a file transfer and an interactive shell at the same time, each
// with its own flow control. On each yamux stream one call is a sequence
// of messages (kind byte, 4-byte length, payload), the first being the
// JSON request {op, body}; payloads are JSON, or raw bytes for file and
// terminal data.
//
// # Operations
//
// Run (run documents with toe.Run, streaming toe.Event values, step output
// lines included), PutFile, GetFile and GetDir (a folder as tar), Exec
// (with stdin, exit code, and a pseudo-terminal for `goldsmith debug`),
// Ping, Info (version, hostname, uptime, boot id), Reboot and Shutdown.
// Files are checked end to end with sha256.
//
// # Reboots
//
// Runs belong to the agent, not to a session. Each run is recorded under
// STATE_DIR/runs/ID/: the request, every event (events.jsonl, with
// sequence numbers) and, once over, the result. When a step asks for a
// reboot (exit code 194, the Reboot module), toe saves its state, the
// agent marks the run "rebooting", waits up to 3 s for attached hosts to
// receive every event (the reboot event included), and runs the reboot
// command. The agent started on the next boot resumes marked runs with
// toe.Run and the same execution id and state directory; a run found
// unfinished without the mark was interrupted and is reported failed.
// The host's Run re-attaches on the next session, asking for the events
// from the first sequence number it has not seen, and returns only when
// the run is over, ctx ends, or the agent stays away longer than
// RebootTimeout (after an announced reboot) or ReconnectTimeout.
// A run request is idempotent by execution id.
//
// The package imports nothing of the store, API, queue or console: the
// agent is the same small binary, copied into every build VM.
package agent
