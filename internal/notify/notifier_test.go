package notify_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/notify"
)

// With Rand fixed at 0.5 and the default policy (1s, ×2), the waits
// before attempts 2, 3 and 4 are 3/4 of 1s, 2s and 4s.
const (
	wait1 = 750 * time.Millisecond
	wait2 = 1500 * time.Millisecond
	wait3 = 3 * time.Second
)

func TestDeliver(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		answers       []answer // to the first requests
		rest          answer   // to the others; zero is 200
		retry         notify.RetryPolicy
		wantRequests  int
		wantSleeps    []time.Duration
		wantErr       bool
		wantPermanent bool
		wantMsg       []string
	}{
		{name: "200", wantRequests: 1},
		{name: "204", answers: []answer{{status: 204}}, wantRequests: 1},
		{name: "500 then 200", answers: []answer{{status: 500}}, wantRequests: 2, wantSleeps: []time.Duration{wait1}},
		{name: "502 503 504 then 200", answers: []answer{{status: 502}, {status: 503}, {status: 504}}, wantRequests: 4, wantSleeps: []time.Duration{wait1, wait2, wait3}},
		{name: "408 then 200", answers: []answer{{status: 408}}, wantRequests: 2, wantSleeps: []time.Duration{wait1}},
		{
			name:         "429 Retry-After seconds",
			answers:      []answer{{status: 429, header: map[string]string{"Retry-After": "7"}}},
			wantRequests: 2, wantSleeps: []time.Duration{7 * time.Second},
		},
		{
			name:         "503 Retry-After date",
			answers:      []answer{{status: 503, header: map[string]string{"Retry-After": epoch.Add(30 * time.Second).Format(http.TimeFormat)}}},
			wantRequests: 2, wantSleeps: []time.Duration{30 * time.Second},
		},
		{
			name:         "unreadable Retry-After falls back to backoff",
			answers:      []answer{{status: 503, header: map[string]string{"Retry-After": "soon"}}},
			wantRequests: 2, wantSleeps: []time.Duration{wait1},
		},
		{
			name:         "400 is permanent",
			answers:      []answer{{status: 400, body: "missing field detail.state\n"}},
			wantRequests: 1, wantErr: true, wantPermanent: true,
			wantMsg: []string{"answered 400 Bad Request", `"missing field detail.state"`, "not retried"},
		},
		{name: "401 is permanent", answers: []answer{{status: 401}}, wantRequests: 1, wantErr: true, wantPermanent: true, wantMsg: []string{"same secret"}},
		{name: "404 is permanent", answers: []answer{{status: 404}}, wantRequests: 1, wantErr: true, wantPermanent: true, wantMsg: []string{"check the webhook URL"}},
		{name: "422 is permanent", answers: []answer{{status: 422}}, wantRequests: 1, wantErr: true, wantPermanent: true},
		{
			name:         "redirect is permanent",
			answers:      []answer{{status: 302, header: map[string]string{"Location": "/elsewhere"}}},
			wantRequests: 1, wantErr: true, wantPermanent: true, wantMsg: []string{"redirects are not followed"},
		},
		{
			name: "gives up after max attempts", rest: answer{status: 500}, retry: notify.RetryPolicy{MaxAttempts: 3},
			wantRequests: 3, wantSleeps: []time.Duration{wait1, wait2}, wantErr: true,
			wantMsg: []string{"answered 500", "gave up after 3 attempts", "allows 3"},
		},
		{
			name:         "Retry-After beyond max elapsed",
			answers:      []answer{{status: 429, header: map[string]string{"Retry-After": "3600"}}},
			retry:        notify.RetryPolicy{MaxElapsed: 10 * time.Minute},
			wantRequests: 1, wantErr: true, wantMsg: []string{"gave up after 1 attempts", "waiting 1h0m0s more would pass", "10m0s"},
		},
		{
			name: "backoff beyond max elapsed", rest: answer{status: 500}, retry: notify.RetryPolicy{MaxElapsed: 2 * time.Second},
			wantRequests: 2, wantSleeps: []time.Duration{wait1}, wantErr: true, wantMsg: []string{"gave up after 2 attempts"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			rc := newReceiver(t, clock, func(n int, _ *http.Request, _ notify.Event) answer {
				if n < len(tt.answers) {
					return tt.answers[n]
				}
				return tt.rest
			})
			n := newNotifier(t, clock, rc.srv.URL, tt.retry)
			ev := event(t, imageA, notify.StatusAvailable, "e-1")

			err := n.Deliver(t.Context(), testTopic, ev)

			reqs := rc.requests()
			if len(reqs) != tt.wantRequests {
				t.Errorf("got %d requests, want %d", len(reqs), tt.wantRequests)
			}
			for i, r := range reqs {
				if r.ev.ID != "e-1" || !bytes.Equal(r.body, reqs[0].body) {
					t.Errorf("request %d: event %q, body differs from the first: %v", i, r.ev.ID, !bytes.Equal(r.body, reqs[0].body))
				}
			}
			if got := clock.Sleeps(); !slices.Equal(got, tt.wantSleeps) {
				t.Errorf("slept %v, want %v", got, tt.wantSleeps)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("Deliver: got error %v, want error: %v", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			var de *notify.DeliveryError
			if !errors.As(err, &de) || de.Attempts != tt.wantRequests {
				t.Errorf("Deliver: got %#v, want a *DeliveryError with %d attempts", err, tt.wantRequests)
			}
			if got := notify.IsPermanent(err); got != tt.wantPermanent {
				t.Errorf("IsPermanent = %v, want %v", got, tt.wantPermanent)
			}
			for _, m := range append(tt.wantMsg, "e-1", testTopic) {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

// TestRequestIsSigned checks what a receiver gets: a signature that
// verifies, and fails once the body is changed.
func TestRequestIsSigned(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rc := newReceiver(t, clock, nil)
	n, err := notify.New(notify.Config{
		Webhooks: []notify.Webhook{{
			TopicARN: testTopic, URL: rc.srv.URL + "/hook?token=t0ken", Secret: testSecret,
			Headers: map[string]string{"Authorization": "Bearer gateway-token"},
		}},
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
		Now:    clock.Now,
		Sleep:  clock.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := event(t, imageA, notify.StatusFailed, "e-signed")
	if err := n.Deliver(t.Context(), testTopic, ev); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	h, body := reqs[0].header, reqs[0].body
	for name, want := range map[string]string{
		notify.HeaderEventID:   "e-signed",
		notify.HeaderTimestamp: strconv.FormatInt(epoch.Unix(), 10),
		"Authorization":        "Bearer gateway-token",
		"User-Agent":           notify.DefaultUserAgent,
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	sig, ts := h.Get(notify.HeaderSignature), h.Get(notify.HeaderTimestamp)
	if err := notify.VerifyAt(clock.Now(), testSecret, sig, ts, body, time.Minute); err != nil {
		t.Errorf("VerifyAt: %v", err)
	}
	tampered := bytes.Replace(body, []byte(`"FAILED"`), []byte(`"AVAILABLE"`), 1)
	if bytes.Equal(tampered, body) {
		t.Fatal("test did not change the body")
	}
	if err := notify.VerifyAt(clock.Now(), testSecret, sig, ts, tampered, time.Minute); !errors.Is(err, notify.ErrBadSignature) {
		t.Errorf("VerifyAt(tampered body) = %v, want ErrBadSignature", err)
	}
}

// TestSend checks the single attempt a durable job makes, and what it
// tells the job.
func TestSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		answer         answer
		topic          string
		wantRequests   int
		wantErr        bool
		wantPermanent  bool
		wantRetryAfter time.Duration
	}{
		{name: "200", answer: answer{status: 200}, wantRequests: 1},
		{name: "500", answer: answer{status: 500}, wantRequests: 1, wantErr: true},
		{name: "429 Retry-After", answer: answer{status: 429, header: map[string]string{"Retry-After": "5"}}, wantRequests: 1, wantErr: true, wantRetryAfter: 5 * time.Second},
		{name: "400", answer: answer{status: 400}, wantRequests: 1, wantErr: true, wantPermanent: true},
		{name: "400 Retry-After ignored", answer: answer{status: 400, header: map[string]string{"Retry-After": "5"}}, wantRequests: 1, wantErr: true, wantPermanent: true},
		{name: "unknown topic", topic: "arn:aws:sns:goldsmith-local-1:123456789012:nobody", wantErr: true, wantPermanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			rc := newReceiver(t, clock, func(int, *http.Request, notify.Event) answer { return tt.answer })
			n := newNotifier(t, clock, rc.srv.URL, notify.RetryPolicy{})
			topic := cmp(tt.topic, testTopic)

			err := n.Send(t.Context(), topic, event(t, imageA, notify.StatusAvailable, "e-send"))

			if got := len(rc.requests()); got != tt.wantRequests {
				t.Errorf("got %d requests, want %d", got, tt.wantRequests)
			}
			if len(clock.Sleeps()) != 0 {
				t.Errorf("Send slept %v", clock.Sleeps())
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("Send: got %v, want error: %v", err, tt.wantErr)
			}
			if got := notify.IsPermanent(err); got != tt.wantPermanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.wantPermanent)
			}
			d, ok := notify.RetryAfter(err)
			if d != tt.wantRetryAfter || ok != (tt.wantRetryAfter > 0) {
				t.Errorf("RetryAfter = %s, %v; want %s", d, ok, tt.wantRetryAfter)
			}
		})
	}
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestNetworkErrorIsRetried drops the connection of the first request.
func TestNetworkErrorIsRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	clock := newFakeClock()
	n := newNotifier(t, clock, srv.URL, notify.RetryPolicy{})
	if err := n.Deliver(t.Context(), testTopic, event(t, imageA, notify.StatusAvailable, "e-net")); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("got %d requests, want 2", got)
	}
	if got := clock.Sleeps(); !slices.Equal(got, []time.Duration{wait1}) {
		t.Errorf("slept %v, want [%s]", got, wait1)
	}
}

// TestUnreachableWebhook gives up on a URL nobody listens on, without
// showing the URL's query in the error.
func TestUnreachableWebhook(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hook?token=t0ken"
	srv.Close()
	clock := newFakeClock()
	n := newNotifier(t, clock, url, notify.RetryPolicy{MaxAttempts: 3})
	err := n.Deliver(t.Context(), testTopic, event(t, imageA, notify.StatusAvailable, "e-down"))
	var de *notify.DeliveryError
	if !errors.As(err, &de) || de.StatusCode != 0 || de.Attempts != 3 || notify.IsPermanent(err) {
		t.Fatalf("Deliver: got %v, want a retryable *DeliveryError after 3 attempts", err)
	}
	if strings.Contains(err.Error(), "t0ken") {
		t.Errorf("error shows the URL's query: %v", err)
	}
	if !strings.Contains(err.Error(), strings.TrimSuffix(url, "?token=t0ken")) {
		t.Errorf("error %q does not name the URL", err)
	}
}

// TestAttemptTimeout lets every attempt time out.
func TestAttemptTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // lets the server notice the client leaving
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	clock := newFakeClock()
	n, err := notify.New(notify.Config{
		Webhooks: []notify.Webhook{{TopicARN: testTopic, URL: srv.URL, Secret: testSecret, Timeout: 50 * time.Millisecond}},
		Retry:    notify.RetryPolicy{MaxAttempts: 2},
		Logger:   slog.New(slog.NewTextHandler(t.Output(), nil)),
		Now:      clock.Now,
		Sleep:    clock.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Deliver(t.Context(), testTopic, event(t, imageA, notify.StatusAvailable, "e-slow"))
	if err == nil || notify.IsPermanent(err) || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Errorf("Deliver: got %v, want a retryable timeout", err)
	}
	if got := len(clock.Sleeps()); got != 1 {
		t.Errorf("slept %d times, want 1", got)
	}
}

// TestDeliverCancelled cancels the context while Deliver waits to retry.
func TestDeliverCancelled(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rc := newReceiver(t, clock, func(int, *http.Request, notify.Event) answer { return answer{status: 503} })
	ctx, cancel := context.WithCancel(t.Context())
	n, err := notify.New(notify.Config{
		Webhooks: []notify.Webhook{{TopicARN: testTopic, URL: rc.srv.URL, Secret: testSecret}},
		Logger:   slog.New(slog.NewTextHandler(t.Output(), nil)),
		Now:      clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			cancel()
			return ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Deliver(ctx, testTopic, event(t, imageA, notify.StatusAvailable, "e-cancel"))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "answered 503") {
		t.Errorf("Deliver: got %v, want the 503 and context.Canceled", err)
	}
	if got := len(rc.requests()); got != 1 {
		t.Errorf("got %d requests, want 1", got)
	}
}

func TestNewRejectsRetryPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		retry notify.RetryPolicy
		want  string
	}{
		{notify.RetryPolicy{MaxAttempts: -1}, "maxAttempts -1 must be at least 1"},
		{notify.RetryPolicy{MaxElapsed: -time.Second}, "maxElapsed"},
		{notify.RetryPolicy{InitialInterval: time.Minute, MaxInterval: time.Second}, "maxInterval 1s must be at least initialInterval 1m0s"},
		{notify.RetryPolicy{Multiplier: 0.5}, "multiplier 0.5"},
	}
	for _, tt := range tests {
		_, err := notify.New(notify.Config{Retry: tt.retry})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v): got %v, want an error containing %q", tt.retry, err, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	p := notify.RetryPolicy{}.WithDefaults()
	tests := []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{1, 0, 500 * time.Millisecond},
		{1, 0.5, 750 * time.Millisecond},
		{1, 0.25, 625 * time.Millisecond},
		{2, 0, time.Second},
		{4, 0, 4 * time.Second},
		{9, 0, 128 * time.Second},  // 256s, under the 5-minute cap
		{10, 0, 150 * time.Second}, // 512s, capped at 300s
		{1000, 0.5, 225 * time.Second},
	}
	for _, tt := range tests {
		if got := p.Backoff(tt.attempt, tt.r); got != tt.want {
			t.Errorf("Backoff(%d, %v) = %s, want %s", tt.attempt, tt.r, got, tt.want)
		}
	}
}
