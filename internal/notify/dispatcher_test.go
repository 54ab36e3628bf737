package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/notify"
)

func newDispatcher(t *testing.T, n *notify.Notifier, cfg notify.DispatcherConfig) *notify.Dispatcher {
	t.Helper()
	d, err := notify.NewDispatcher(n, cfg)
	if err != nil {
		t.Fatalf("NewDispatcher: %v", err)
	}
	// Stop the workers even if the test fails before its own Close.
	t.Cleanup(func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		d.Close(ctx)
	})
	return d
}

// TestDispatcherKeepsOrderPerImage interleaves the events of two images,
// makes some of them need retries, and checks each image's events arrive
// in the order published.
func TestDispatcherKeepsOrderPerImage(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	statuses := []notify.Status{
		notify.StatusPending, notify.StatusCreating, notify.StatusBuilding, notify.StatusTesting,
		notify.StatusDistributing, notify.StatusIntegrating, notify.StatusAvailable,
	}
	var (
		mu        sync.Mutex
		tries     = map[string]int{}
		delivered = map[string][]notify.Status{} // per image, in order of 2xx answers
	)
	rc := newReceiver(t, clock, func(_ int, _ *http.Request, ev notify.Event) answer {
		mu.Lock()
		defer mu.Unlock()
		tries[ev.ID]++
		if tries[ev.ID] <= int(ev.Detail.State.Status[0]-'A')%3 { // 0, 1 or 2 failures, by status
			return answer{status: 503}
		}
		img := ev.Detail.Image.ARN
		delivered[img] = append(delivered[img], ev.Detail.State.Status)
		return answer{}
	})
	n := newNotifier(t, clock, rc.srv.URL, notify.RetryPolicy{})
	d := newDispatcher(t, n, notify.DispatcherConfig{Workers: 4})

	for i, s := range statuses {
		for _, img := range []string{imageA, imageB} {
			if err := d.Publish(testTopic, event(t, img, s, fmt.Sprintf("%s-%d", img, i))); err != nil {
				t.Fatalf("Publish: %v", err)
			}
		}
	}
	if err := d.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	retried := 0
	for _, n := range tries {
		if n > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Error("no event was retried; the test checks nothing")
	}
	for _, img := range []string{imageA, imageB} {
		if !slices.Equal(delivered[img], statuses) {
			t.Errorf("%s: delivered %v, want %v", img, delivered[img], statuses)
		}
	}
}

// TestDispatcherCloseDrains checks that Close waits for queued events.
func TestDispatcherCloseDrains(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rc, first, release := heldReceiver(t, clock)
	n := newNotifier(t, clock, rc.srv.URL, notify.RetryPolicy{})
	d := newDispatcher(t, n, notify.DispatcherConfig{Workers: 2})
	for i := range 5 {
		if err := d.Publish(testTopic, event(t, imageA, notify.StatusAvailable, fmt.Sprint("e-", i))); err != nil {
			t.Fatalf("Publish %d: %v", i, err)
		}
	}
	<-first
	closed := make(chan error, 1)
	go func() { closed <- d.Close(context.Background()) }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v while an event was being delivered", err)
	default:
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	var ids []string
	for _, r := range rc.requests() {
		ids = append(ids, r.ev.ID)
	}
	if want := []string{"e-0", "e-1", "e-2", "e-3", "e-4"}; !slices.Equal(ids, want) {
		t.Errorf("delivered %v, want %v", ids, want)
	}
	if err := d.Publish(testTopic, event(t, imageB, notify.StatusAvailable, "late")); !errors.Is(err, notify.ErrClosed) {
		t.Errorf("Publish after Close: got %v, want ErrClosed", err)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestDispatcherCloseGivesUp checks that Close stops at its context's end
// and counts what it did not deliver.
func TestDispatcherCloseGivesUp(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	first := make(chan struct{})
	rc := newReceiver(t, clock, func(n int, r *http.Request, _ notify.Event) answer {
		if n == 0 {
			close(first)
		}
		<-r.Context().Done() // a webhook that never answers
		return answer{}
	})
	n := newNotifier(t, clock, rc.srv.URL, notify.RetryPolicy{})
	d := newDispatcher(t, n, notify.DispatcherConfig{Workers: 1})
	for i := range 3 {
		if err := d.Publish(testTopic, event(t, imageA, notify.StatusAvailable, fmt.Sprint("e-", i))); err != nil {
			t.Fatalf("Publish %d: %v", i, err)
		}
	}
	<-first
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := d.Close(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "3 events not delivered") {
		t.Errorf("Close: got %v, want context.Canceled and 3 events not delivered", err)
	}
	if got := len(rc.requests()); got != 1 {
		t.Errorf("got %d requests, want 1", got)
	}
}

func TestDispatcherPublishErrors(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rc, first, release := heldReceiver(t, clock)
	n := newNotifier(t, clock, rc.srv.URL, notify.RetryPolicy{})
	d := newDispatcher(t, n, notify.DispatcherConfig{Workers: 1, QueueSize: 1})

	unknown := "arn:aws:sns:goldsmith-local-1:123456789012:nobody"
	if err := d.Publish(unknown, event(t, imageA, notify.StatusAvailable, "e-unknown")); !errors.Is(err, notify.ErrUnknownTopic) {
		t.Errorf("Publish(unknown topic): got %v, want ErrUnknownTopic", err)
	}
	if err := d.Publish(testTopic, event(t, imageA, notify.StatusAvailable, "e-0")); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	<-first // e-0 is being delivered; the queue is empty
	if err := d.Publish(testTopic, event(t, imageA, notify.StatusAvailable, "e-1")); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	err := d.Publish(testTopic, event(t, imageA, notify.StatusAvailable, "e-2"))
	if !errors.Is(err, notify.ErrQueueFull) || !strings.Contains(err.Error(), "e-2") || !strings.Contains(err.Error(), testTopic) {
		t.Errorf("Publish to a full queue: got %v, want ErrQueueFull naming the event and topic", err)
	}
	close(release)
	if err := d.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := d.Publish(testTopic, event(t, imageA, notify.StatusAvailable, "e-3")); !errors.Is(err, notify.ErrClosed) {
		t.Errorf("Publish after Close: got %v, want ErrClosed", err)
	}
	if got := len(rc.requests()); got != 2 {
		t.Errorf("got %d requests, want 2 (e-0, e-1)", got)
	}
}

func TestNewDispatcherRejects(t *testing.T) {
	t.Parallel()
	n := newNotifier(t, newFakeClock(), "http://127.0.0.1:1/", notify.RetryPolicy{})
	for _, tt := range []struct {
		cfg  notify.DispatcherConfig
		want string
	}{
		{notify.DispatcherConfig{Workers: -1}, "workers -1 must be at least 1"},
		{notify.DispatcherConfig{Workers: 8, QueueSize: 4}, "queue size 4 must be at least the number of workers (8)"},
	} {
		if _, err := notify.NewDispatcher(n, tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewDispatcher(%+v): got %v, want an error containing %q", tt.cfg, err, tt.want)
		}
	}
}
