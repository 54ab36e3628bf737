package server

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/goldsmith-dev/goldsmith/internal/metrics"
	"github.com/goldsmith-dev/goldsmith/internal/notify"
	"github.com/goldsmith-dev/goldsmith/internal/service"
)

// imageEvents turns image state changes into webhook notifications (for
// images whose infrastructure configuration names an snsTopicArn) and
// metrics. The returned func delivers what is queued, for up to 10 s.
func imageEvents(c Config, m *metrics.Metrics) (func(service.ImageEvent), func(), error) {
	n, err := notify.New(notify.Config{Webhooks: c.Webhooks, Logger: c.Logger})
	if err != nil {
		return nil, nil, err
	}
	d, err := notify.NewDispatcher(n, notify.DispatcherConfig{})
	if err != nil {
		return nil, nil, err
	}
	publish := func(e service.ImageEvent) {
		m.ImageState(string(e.Status))
		if e.Topic == "" {
			return
		}
		ev, err := notify.NewEvent(notify.ImageStateChange{ImageARN: e.Image.String(), ImageName: e.Name, PipelineARN: e.Pipeline,
			TopicARN: e.Topic, Previous: notify.Status(e.Previous), Status: notify.Status(e.Status), Reason: e.Reason}, uuid.NewString(), e.Time)
		if err != nil {
			c.Logger.Warn("image notification not sent", "image", e.Image, "err", err)
			return
		}
		if err := d.Publish(e.Topic, ev); err != nil {
			if errors.Is(err, notify.ErrUnknownTopic) {
				c.Logger.Warn("image notification not sent: no webhook for the topic; add it under webhooks: in the config file", "topic", e.Topic)
				return
			}
			c.Logger.Warn("image notification not sent", "image", e.Image, "err", err)
		}
	}
	closeFn := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = d.Close(ctx)
	}
	return publish, closeFn, nil
}
