package queue

import (
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// QueueBuilds is the River queue of image builds.
const QueueBuilds = "builds"

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
