package queue

import (
	"encoding/json"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// The River queues: image builds, and webhook notifications.
const (
	QueueBuilds        = "builds"
	QueueNotifications = "notifications"
)

// Args is a job kind: the typed payload of a job, stored as JSON. Only the
// kinds of this package implement it.
type Args interface {
	river.JobArgs
	// insertOpts are the River queue, attempts and uniqueness of the kind.
	insertOpts() river.InsertOpts
}

// BuildImage builds one image version: the image record ImageARN of
// Account, which the service wrote in PENDING in the transaction that
// enqueued the job. At most one BuildImage job exists per ImageARN.
type BuildImage struct {
	Account  string `json:"account"`
	ImageARN string `json:"image_arn" river:"unique"`
}

// Kind is the stable name of the kind.
func (BuildImage) Kind() string { return "build_image" }

// BuildImageAttempts is how many times a BuildImage job is started, the
// last of them for reporting only (see the package doc).
const BuildImageAttempts = 3

func (BuildImage) insertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueBuilds,
		MaxAttempts: BuildImageAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: everyState},
	}
}

// everyState makes a unique job unique for as long as River keeps it (a
// finished job is deleted after a day, a discarded one after a week).
var everyState = rivertype.JobStates()

// Notify delivers one event to a webhook: Event (JSON) to the webhook of
// TopicARN. It is enqueued in the transaction that makes the change it
// reports, so a committed change is always notified, even if the process
// stops at once; at most one Notify job exists per EventID.
type Notify struct {
	EventID  string          `json:"event_id" river:"unique"`
	TopicARN string          `json:"topic_arn"`
	Event    json.RawMessage `json:"event"`
}

// Kind is the stable name of the kind.
func (Notify) Kind() string { return "notify" }

// NotifyAttempts is how many times a Notify job is tried. River waits
// attempt⁴ seconds (with jitter) after the attempt-th failure, so ten
// attempts span about seven hours.
const NotifyAttempts = 10

func (Notify) insertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueNotifications,
		MaxAttempts: NotifyAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: everyState},
	}
}

// Permanent marks a handler's error as final: the job is not retried.
func Permanent(err error) error { return river.JobCancel(err) }
