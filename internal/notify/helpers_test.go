package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/notify"
)

const (
	testTopic  = "arn:aws:sns:goldsmith-local-1:123456789012:builds"
	testSecret = notify.Secret("test-secret-0123456789abcdef")
	imageA     = "arn:aws:imagebuilder:goldsmith-local-1:123456789012:image/web/1.2.0/3"
	imageB     = "arn:aws:imagebuilder:goldsmith-local-1:123456789012:image/db/2.0.0/1"
	pipeline   = "arn:aws:imagebuilder:goldsmith-local-1:123456789012:image-pipeline/nightly"
)

var epoch = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// fakeClock is the tests' clock: Sleep records the wait, moves the clock
// on and returns at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// received is one request a receiver accepted as correctly signed.
type received struct {
	header http.Header
	body   []byte
	ev     notify.Event
}

// answer is a receiver's reply; the zero answer is 200.
type answer struct {
	status int
	header map[string]string
	body   string
}

// receiver is a webhook endpoint that checks signatures and records
// requests. respond chooses the answer to the n-th request (0-based); nil
// answers 200. It may block, watching r.Context().
type receiver struct {
	t       *testing.T
	srv     *httptest.Server
	clock   *fakeClock
	respond func(n int, r *http.Request, ev notify.Event) answer

	mu   sync.Mutex
	reqs []received
}

func newReceiver(t *testing.T, clock *fakeClock, respond func(n int, r *http.Request, ev notify.Event) answer) *receiver {
	rc := &receiver{t: t, clock: clock, respond: respond}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rc.t.Errorf("receiver: reading body: %v", err)
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		rc.t.Errorf("receiver: got %s with Content-Type %q, want a JSON POST", r.Method, r.Header.Get("Content-Type"))
	}
	err = notify.VerifyAt(rc.clock.Now(), testSecret, r.Header.Get(notify.HeaderSignature), r.Header.Get(notify.HeaderTimestamp), body, 5*time.Minute)
	if err != nil {
		rc.t.Errorf("receiver: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var ev notify.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		rc.t.Errorf("receiver: decoding event: %v", err)
	}
	if got := r.Header.Get(notify.HeaderEventID); got != ev.ID {
		rc.t.Errorf("receiver: %s = %q, body id %q", notify.HeaderEventID, got, ev.ID)
	}
	rc.mu.Lock()
	n := len(rc.reqs)
	rc.reqs = append(rc.reqs, received{header: r.Header.Clone(), body: body, ev: ev})
	rc.mu.Unlock()
	a := answer{}
	if rc.respond != nil {
		a = rc.respond(n, r, ev)
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.reqs...)
}

// newNotifier is a Notifier with one webhook, for topic testTopic, to url.
func newNotifier(t *testing.T, clock *fakeClock, url string, retry notify.RetryPolicy) *notify.Notifier {
	t.Helper()
	n, err := notify.New(notify.Config{
		Webhooks: []notify.Webhook{{TopicARN: testTopic, URL: url, Secret: testSecret}},
		Retry:    retry,
		Logger:   slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:      clock.Now,
		Sleep:    clock.Sleep,
		Rand:     func() float64 { return 0.5 },
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return n
}

// event is a valid event for image with the given status and id.
func event(t *testing.T, image string, status notify.Status, id string) notify.Event {
	t.Helper()
	ev, err := notify.NewEvent(notify.ImageStateChange{ImageARN: image, TopicARN: testTopic, Status: status}, id, epoch)
	if err != nil {
		t.Fatalf("NewEvent: %v", err)
	}
	return ev
}

// heldReceiver is a webhook whose first request waits until release is
// closed (or the request is given up); first is closed when it arrives.
func heldReceiver(t *testing.T, clock *fakeClock) (rc *receiver, first, release chan struct{}) {
	first, release = make(chan struct{}), make(chan struct{})
	rc = newReceiver(t, clock, func(n int, r *http.Request, _ notify.Event) answer {
		if n == 0 {
			close(first)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		return answer{}
	})
	return rc, first, release
}
