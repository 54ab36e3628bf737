package notify_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/notify"
)

// TestSignKnownAnswer pins the signature format; the expected value is from
//
//	printf '%s' '1700000000.{"hello":"world"}' | openssl dgst -sha256 -hmac an-example-secret-0123456789
func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	got := notify.Sign("an-example-secret-0123456789", "1700000000", []byte(`{"hello":"world"}`))
	want := "sha256=ac72cf48a9722631d78bdd669eb85a877254d590ad316574076839816dd47d3c"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"e1","detail":{"state":{"status":"AVAILABLE"}}}`)
	now := time.Unix(1_700_000_000, 0)
	ts := "1700000000"
	sig := notify.Sign(testSecret, ts, body)
	tests := []struct {
		name    string
		secret  notify.Secret
		header  string
		ts      string
		body    []byte
		now     time.Time
		skew    time.Duration
		wantErr error  // checked with errors.Is, when set
		wantMsg string // checked as a substring, when set
	}{
		{name: "valid", secret: testSecret, header: sig, ts: ts, body: body, now: now, skew: time.Minute},
		{name: "valid within skew", secret: testSecret, header: sig, ts: ts, body: body, now: now.Add(59 * time.Second), skew: time.Minute},
		{name: "tampered body", secret: testSecret, header: sig, ts: ts, body: []byte(strings.Replace(string(body), "AVAILABLE", "FAILED", 1)), now: now, skew: time.Minute, wantErr: notify.ErrBadSignature},
		{name: "tampered timestamp", secret: testSecret, header: sig, ts: "1700000001", body: body, now: now, skew: time.Minute, wantErr: notify.ErrBadSignature},
		{name: "wrong secret", secret: "another-secret-0123456789", header: sig, ts: ts, body: body, now: now, skew: time.Minute, wantErr: notify.ErrBadSignature},
		{name: "upper-case hex", secret: testSecret, header: "sha256=" + strings.ToUpper(strings.TrimPrefix(sig, "sha256=")), ts: ts, body: body, now: now, skew: time.Minute},
		{name: "stale", secret: testSecret, header: sig, ts: ts, body: body, now: now.Add(2 * time.Minute), skew: time.Minute, wantErr: notify.ErrBadTimestamp},
		{name: "future", secret: testSecret, header: sig, ts: ts, body: body, now: now.Add(-2 * time.Minute), skew: time.Minute, wantErr: notify.ErrBadTimestamp},
		{name: "no prefix", secret: testSecret, header: strings.TrimPrefix(sig, "sha256="), ts: ts, body: body, now: now, skew: time.Minute, wantMsg: `must start with "sha256="`},
		{name: "sha1", secret: testSecret, header: "sha1=abcd", ts: ts, body: body, now: now, skew: time.Minute, wantMsg: `must start with "sha256="`},
		{name: "not hex", secret: testSecret, header: "sha256=zz", ts: ts, body: body, now: now, skew: time.Minute, wantMsg: "64 hex digits"},
		{name: "short", secret: testSecret, header: sig[:len(sig)-2], ts: ts, body: body, now: now, skew: time.Minute, wantMsg: "64 hex digits"},
		{name: "empty header", secret: testSecret, header: "", ts: ts, body: body, now: now, skew: time.Minute, wantMsg: "must start with"},
		{name: "bad timestamp", secret: testSecret, header: sig, ts: "2023-11-14T22:13:20Z", body: body, now: now, skew: time.Minute, wantMsg: "not Unix time in seconds"},
		{name: "empty secret", secret: "", header: sig, ts: ts, body: body, now: now, skew: time.Minute, wantMsg: "empty secret"},
		{name: "zero skew", secret: testSecret, header: sig, ts: ts, body: body, now: now, skew: 0, wantMsg: "maxSkew must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := notify.VerifyAt(tt.now, tt.secret, tt.header, tt.ts, tt.body, tt.skew)
			switch {
			case tt.wantErr == nil && tt.wantMsg == "":
				if err != nil {
					t.Errorf("VerifyAt: %v", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("VerifyAt: got %v, want %v", err, tt.wantErr)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("VerifyAt: got %v, want an error containing %q", err, tt.wantMsg)
				}
			}
		})
	}
}

// TestVerifyUsesTheClock checks Verify against a timestamp of now.
func TestVerifyUsesTheClock(t *testing.T) {
	t.Parallel()
	body := []byte(`{}`)
	ts := time.Now().Unix()
	sig := notify.Sign(testSecret, itoa(ts), body)
	if err := notify.Verify(testSecret, sig, itoa(ts), body, time.Hour); err != nil {
		t.Errorf("Verify: %v", err)
	}
	old := itoa(ts - 7200)
	if err := notify.Verify(testSecret, notify.Sign(testSecret, old, body), old, body, time.Hour); !errors.Is(err, notify.ErrBadTimestamp) {
		t.Errorf("Verify two hours old: got %v, want ErrBadTimestamp", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
