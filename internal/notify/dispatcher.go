package notify

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
)

// DispatcherConfig configures NewDispatcher. Zero fields take their defaults.
type DispatcherConfig struct {
	// Workers deliver concurrently; events of one image always go to the
	// same worker. Default: 4.
	Workers int
	// QueueSize is how many events may wait, over all workers; Publish
	// refuses more. Default: 1024.
	QueueSize int
	// Logger. Default: the Notifier's.
	Logger *slog.Logger
}

// WithDefaults fills in the defaults of zero fields.
func (c DispatcherConfig) WithDefaults() DispatcherConfig {
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.QueueSize == 0 {
		c.QueueSize = 1024
	}
	return c
}

func (c DispatcherConfig) validate() error {
	if c.Workers < 1 {
		return fmt.Errorf("notify: dispatcher workers %d must be at least 1", c.Workers)
	}
	if c.QueueSize < c.Workers {
		return fmt.Errorf("notify: dispatcher queue size %d must be at least the number of workers (%d)", c.QueueSize, c.Workers)
	}
	return nil
}

// Errors of Publish.
var (
	ErrQueueFull = errors.New("notify: notification queue full")
	ErrClosed    = errors.New("notify: dispatcher closed")
)

// Dispatcher delivers events in the background with Notifier.Deliver, so
// that publishing never waits on a webhook. Events of one image (the same
// image build version ARN) are delivered one after the other, in the order
// published, each with all its retries before the next; events of
// different images may be delivered concurrently. Events wait in memory
// only: those still queued when the process stops are lost.
type Dispatcher struct {
	n       *Notifier
	log     *slog.Logger
	queues  []chan queued
	ctx     context.Context // cancelled when Close gives up
	cancel  context.CancelFunc
	done    chan struct{} // closed when every worker has returned
	dropped atomic.Int64  // events not delivered because Close gave up

	mu        sync.RWMutex // guards closed against sends on closed queues
	closed    bool
	closeOnce sync.Once
}

type queued struct {
	topicARN string
	ev       Event
}

// NewDispatcher starts the workers of a Dispatcher over n. Call Close to
// stop them.
func NewDispatcher(n *Notifier, cfg DispatcherConfig) (*Dispatcher, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = n.log
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{
		n:      n,
		log:    cfg.Logger,
		queues: make([]chan queued, cfg.Workers),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	perWorker := (cfg.QueueSize + cfg.Workers - 1) / cfg.Workers
	var wg sync.WaitGroup
	for i := range d.queues {
		d.queues[i] = make(chan queued, perWorker)
		q := d.queues[i]
		wg.Go(func() { d.work(q) })
	}
	go func() {
		wg.Wait()
		close(d.done)
	}()
	return d, nil
}

// Publish queues ev for delivery to the webhook of topicARN and returns at
// once. It fails without queueing for an unknown topic (an error wrapping
// ErrUnknownTopic), when the queue is full (ErrQueueFull: the webhook is
// slow or down, or QueueSize is too small), after Close (ErrClosed), and for
// an event without an id.
// Delivery failures are logged, not returned.
func (d *Dispatcher) Publish(topicARN string, ev Event) error {
	if _, err := d.n.router.Lookup(topicARN); err != nil {
		return err
	}
	if ev.ID == "" {
		return fmt.Errorf("%w: it has no id; build events with NewEvent", errEncode)
	}
	i := shard(ev.orderKey(), len(d.queues))
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return fmt.Errorf("%w; event %s for %s not sent", ErrClosed, ev.ID, ev.orderKey())
	}
	select {
	case d.queues[i] <- queued{topicARN: topicARN, ev: ev}:
		return nil
	default:
		return fmt.Errorf("%w (%d events wait for the same worker); event %s for %s dropped: the webhook for topic %s is slow or down, or the dispatcher's queue size is too small",
			ErrQueueFull, cap(d.queues[i]), ev.ID, ev.orderKey(), topicARN)
	}
}

// Close stops accepting events and waits until the queued ones are
// delivered (or have failed), or ctx is done. In the latter case it aborts
// deliveries in progress, drops what is still queued and returns an error
// wrapping ctx's error that counts the undelivered events. Close may be
// called more than once.
func (d *Dispatcher) Close(ctx context.Context) error {
	d.closeOnce.Do(func() {
		d.mu.Lock()
		d.closed = true
		for _, q := range d.queues {
			close(q)
		}
		d.mu.Unlock()
	})
	defer d.cancel()
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
	}
	d.cancel()
	<-d.done // quick: every delivery watches d.ctx
	if n := d.dropped.Load(); n > 0 {
		return fmt.Errorf("notify: closing dispatcher: %w; %d events not delivered", ctx.Err(), n)
	}
	return nil
}

// work delivers the events of one queue in order.
func (d *Dispatcher) work(q <-chan queued) {
	for j := range q {
		if d.ctx.Err() != nil {
			d.drop(j, d.ctx.Err())
			continue
		}
		err := d.n.Deliver(d.ctx, j.topicARN, j.ev)
		switch {
		case err == nil:
		case d.ctx.Err() != nil:
			d.drop(j, err)
		default:
			d.log.Error("webhook delivery failed", "topic", j.topicARN, "event", j.ev.ID,
				"image", j.ev.orderKey(), "status", j.ev.Detail.State.Status, "permanent", IsPermanent(err), "err", err)
		}
	}
}

func (d *Dispatcher) drop(j queued, err error) {
	d.dropped.Add(1)
	d.log.Warn("webhook delivery abandoned at shutdown", "topic", j.topicARN, "event", j.ev.ID,
		"image", j.ev.orderKey(), "status", j.ev.Detail.State.Status, "err", err)
}

// shard picks the worker for an ordering key.
func shard(key string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}
