package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/uuid"

	"github.com/goldsmith-dev/goldsmith/internal/metrics"
	"github.com/goldsmith-dev/goldsmith/internal/notify"
	"github.com/goldsmith-dev/goldsmith/internal/queue"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// imageMetrics counts committed image state changes.
func imageMetrics(m *metrics.Metrics) func(service.ImageEvent) {
	return func(e service.ImageEvent) { m.ImageState(string(e.Status)) }
}

// notifications is the webhook outbox: service.Notifications on the River
// queue. An image state change and the job that delivers its event are
// committed in one transaction, so no committed change goes unnotified,
// whichever process stops when; the jobs are delivered by every process
// with webhooks configured (deliver), with River's retries.
type notifications struct {
	n   *notify.Notifier
	q   *queue.Queue
	log *slog.Logger
}

func newNotifications(c Config, q *queue.Queue) (*notifications, error) {
	n, err := notify.New(notify.Config{Webhooks: c.Webhooks, Logger: c.Logger})
	if err != nil {
		return nil, err
	}
	return &notifications{n: n, q: q, log: c.Logger}, nil
}

// enabled: this process has webhooks, so it delivers notifications.
func (ns *notifications) enabled() bool { return len(ns.n.Router().Topics()) > 0 }

// NotifyTx enqueues the event of e in tx, when e is the image's end
// (Status.Notifies). A topic without a webhook here
// is logged and skipped: the state change must not fail for it.
func (ns *notifications) NotifyTx(ctx context.Context, tx store.Tx, e service.ImageEvent) error {
	if !notify.Status(e.Status).Notifies() {
		return nil
	}
	if _, err := ns.n.Router().Lookup(e.Topic); err != nil {
		ns.log.Warn("image notification not sent: no webhook for the topic; add it under webhooks: in the config file", "topic", e.Topic, "image", e.Image)
		return nil
	}
	ev, err := notify.NewEvent(notify.ImageStateChange{ImageARN: e.Image.String(), ImageName: e.Name, PipelineARN: e.Pipeline,
		TopicARN: e.Topic, Previous: notify.Status(e.Previous), Status: notify.Status(e.Status), Reason: e.Reason}, uuid.NewString(), e.Time)
	if err != nil {
		ns.log.Warn("image notification not sent", "image", e.Image, "err", err)
		return nil
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = ns.q.InsertTx(ctx, tx, queue.Notify{EventID: ev.ID, TopicARN: e.Topic, Event: body})
	return err
}

// deliver makes one attempt at a Notify job. A failure that retrying
// cannot mend (the webhook refused the event) ends the job; any other is
// retried by River until the job's last attempt.
func (ns *notifications) deliver(ctx context.Context, job *queue.Job[queue.Notify]) error {
	var ev notify.Event
	if err := json.Unmarshal(job.Args.Event, &ev); err != nil {
		return queue.Permanent(fmt.Errorf("notification job %d holds no event: %w", job.ID, err))
	}
	log := ns.log.With("topic", job.Args.TopicARN, "event", ev.ID, "image", ev.Detail.Image.ARN, "status", ev.Detail.State.Status, "attempt", job.Attempt)
	err := ns.n.Send(ctx, job.Args.TopicARN, ev)
	switch {
	case err == nil:
		if job.Attempt > 1 {
			log.Info("webhook delivery succeeded after retries")
		}
		return nil
	case errors.Is(err, notify.ErrUnknownTopic):
		// Another process, configured with the topic, may take the retry.
		err = fmt.Errorf("%w: give every process that delivers notifications (goldsmith serve and goldsmith worker with webhooks) the same webhooks: config", err)
	case notify.IsPermanent(err):
		log.Error("webhook delivery failed; not retried", "err", err)
		return queue.Permanent(err)
	}
	if job.Final() {
		log.Error("webhook delivery failed; giving up", "attempts", job.Attempt, "err", err)
	} else {
		log.Warn("webhook delivery failed; River retries it", "max_attempts", job.MaxAttempts, "err", err)
	}
	return err
}
