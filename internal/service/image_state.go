package service

// Image states as the workers move them, cancellation and build logs.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// Fence checks, inside the store transaction that writes a running
// build's state, that the writer still holds the build's job (see
// queue.Job.Fence): it fails, and the write is rolled back, when another
// worker has taken the job over. A nil Fence checks nothing (writes that
// are not a worker's, e.g. CancelImageCreation).
type Fence func(ctx context.Context, tx store.Tx) error

// check runs f in tx, when set.
func (f Fence) check(ctx context.Context, tx store.Tx) error {
	if f == nil {
		return nil
	}
	return f(ctx, tx)
}

// CheckFence runs fence in a transaction of its own: a worker asks
// whether it still holds a build's job before work that would collide
// with a new owner's (storing the image's files).
func (s *Service) CheckFence(ctx context.Context, fence Fence) error {
	return s.store.WithTx(ctx, func(tx store.Tx) error { return fence.check(ctx, tx) })
}

// StateChange is an update of an image's state by its worker.
type StateChange struct {
	Status ImageStatus
	Reason string
	// Fence, when set, is checked first in the transaction of the change.
	Fence Fence
	// Log, when set, records the artifact key of the build log (as
	// SetImageLog does; kept internal).
	Log string
	// Attempt, when set, is the build's attempt (the queue job's) that
	// makes the change (kept internal). The first change of a later
	// attempt ends the workflow executions the earlier one left running
	// (FAILED, saying the build restarted); the new attempt's steps go to
	// new executions.
	Attempt int
	// Outputs replaces outputResources when not nil.
	Outputs *OutputResources
	// Timings and Manifest, when set, become the image's goldsmithTimings
	// and goldsmithManifest (shown to its owner).
	Timings  *BuildTimings
	Manifest string
	// Worker, when set, names the worker building the image (kept
	// internal).
	Worker string
}

// SetImageState moves an image to a new state. A final state is never
// left: the change is refused (returning the current state) when the image
// is already AVAILABLE, FAILED or CANCELLED, so a cancelled build cannot
// become AVAILABLE afterwards.
func (s *Service) SetImageState(ctx context.Context, image arn.ARN, ch StateChange) (ImageStatus, error) {
	var cur ImageStatus
	var ev *ImageEvent
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		ev = nil
		if err := ch.Fence.check(ctx, tx); err != nil {
			return err
		}
		rec, err := tx.Get(ctx, image)
		if err != nil {
			return storeErr(image, "Image", err)
		}
		img, err := loadRecord[imageRecord](rec)
		if err != nil {
			return err
		}
		cur = img.status()
		if cur.Final() {
			return nil
		}
		img.State = &ImageState{Status: ch.Status, Reason: ch.Reason}
		if ch.Outputs != nil {
			img.OutputResources = ch.Outputs
		}
		if ch.Timings != nil {
			img.Timings = ch.Timings
		}
		if ch.Manifest != "" {
			img.Manifest = ch.Manifest
		}
		if ch.Worker != "" {
			img.Worker = ch.Worker
		}
		if ch.Log != "" {
			img.Log = ch.Log
		}
		if prev := img.Attempt; ch.Attempt > prev {
			if prev > 0 || ch.Attempt > 1 {
				img.restartWorkflows(max(prev, 1), ch.Attempt, timestamp(s.now()))
			}
			img.Attempt = ch.Attempt
		}
		if ch.Status.Final() {
			closeWorkflows(img.Executions, ch.Status, ch.Reason, timestamp(s.now()))
		}
		rec.Data = mustJSON(img)
		if rec.Attrs == nil {
			rec.Attrs = map[string][]string{}
		}
		rec.Attrs["status"] = []string{string(ch.Status)}
		if _, err := tx.Update(ctx, rec); err != nil {
			return storeErr(image, "Image", err)
		}
		if cur != ch.Status {
			ev = &ImageEvent{Image: image, Name: img.Name, Pipeline: img.SourcePipelineArn,
				Previous: cur, Status: ch.Status, Reason: ch.Reason, Time: s.now()}
			if img.InfrastructureConfiguration != nil {
				ev.Topic = img.InfrastructureConfiguration.SnsTopicArn
			}
			if ev.Topic != "" && s.notify != nil {
				if err := s.notify.NotifyTx(ctx, tx, *ev); err != nil {
					return fmt.Errorf("record the notification of %s becoming %s: %w", image, ch.Status, err)
				}
			}
		}
		cur = ch.Status
		return nil
	})
	if err == nil && ev != nil && s.events != nil {
		s.events(*ev)
	}
	return cur, err
}

// ImageEvent is a committed change of an image's state.
type ImageEvent struct {
	Image            arn.ARN
	Name, Pipeline   string
	Topic            string // the infrastructure configuration's snsTopicArn
	Previous, Status ImageStatus
	Reason           string
	Time             time.Time
}

// ownedImage reads the image build version the imageBuildVersionArn value
// names, which account must own.
func (s *Service) ownedImage(ctx context.Context, account, value string) (arn.ARN, store.Record, error) {
	a, err := s.parseARN(arn.ImageBuildVersionArn, "imageBuildVersionArn", value)
	if err != nil {
		return a, store.Record{}, err
	}
	rec, err := s.getOwned(ctx, s.store, account, a)
	return a, rec, err
}

// CancelImageCreationInput is the CancelImageCreation request.
type CancelImageCreationInput struct {
	ImageBuildVersionArn string `json:"imageBuildVersionArn"`
	ClientToken          string `json:"clientToken"`
}

// CancelImageCreation cancels a build that has not finished.
func (s *Service) CancelImageCreation(ctx context.Context, account string, in CancelImageCreationInput) (ImageBuildOutput, error) {
	a, rec, err := s.ownedImage(ctx, account, in.ImageBuildVersionArn)
	if err != nil {
		return ImageBuildOutput{}, err
	}
	if st := statusOf(rec); st.Final() {
		return ImageBuildOutput{}, apierr.ResourceInUse("The image %s is %s; only a build that has not finished can be cancelled.", a, st)
	}
	cur, err := s.SetImageState(ctx, a, StateChange{Status: ImageCancelled, Reason: "Cancelled by CancelImageCreation."})
	if err != nil {
		return ImageBuildOutput{}, err
	}
	if cur != ImageCancelled {
		return ImageBuildOutput{}, apierr.ResourceInUse("The image %s is %s; only a build that has not finished can be cancelled.", a, cur)
	}
	return ImageBuildOutput{ClientToken: in.ClientToken, ImageBuildVersionArn: a.String()}, nil
}

// statusOf is the state of an image record.
func statusOf(rec store.Record) ImageStatus {
	var obj struct {
		State *ImageState `json:"state"`
	}
	if decodeData(rec.Data, &obj) != nil || obj.State == nil {
		return ""
	}
	return obj.State.Status
}

// ImageStatusOf reads an image's state (workers poll it to notice a
// cancellation).
func (s *Service) ImageStatusOf(ctx context.Context, image arn.ARN) (ImageStatus, error) {
	rec, err := s.store.Get(ctx, image)
	if err != nil {
		return "", storeErr(image, "Image", err)
	}
	return statusOf(rec), nil
}

// ImagesByState counts image build versions per state, in all accounts
// (for metrics).
func (s *Service) ImagesByState(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, st := range []ImageStatus{ImagePending, ImageBuilding, ImageTesting, ImageDistributing, ImageAvailable, ImageFailed, ImageCancelled} {
		n, err := s.store.Count(ctx, store.Query{Type: arn.Image, Region: s.region, Attrs: map[string][]string{"status": {string(st)}}})
		if err != nil {
			return nil, err
		}
		out[string(st)] = n
	}
	return out, nil
}

// ImageLog is a piece of an image build's log.
type ImageLog struct {
	Data   []byte
	Offset int64 // where Data starts
	Size   int64 // the log's size now
	Status ImageStatus
	// Attempt is the build attempt whose log this is (1 for the first;
	// a restarted build's log starts again).
	Attempt int
}

// GetImageLog returns an image build's log from offset (at most 1 MiB),
// from the artifact store the workers write it to: a build's log is
// readable from every server that shares the store, while the build runs
// (workers store it every few seconds) and after.
func (s *Service) GetImageLog(ctx context.Context, account, image string, offset int64) (ImageLog, error) {
	return s.FollowImageLog(ctx, account, image, 0, offset)
}

// FollowImageLog is GetImageLog for a reader that follows the log of
// attempt: when the build has restarted since (another attempt's log is
// the image's now), it returns the new attempt's log from its start
// (Offset 0, Attempt the new one). attempt 0 reads the current log.
func (s *Service) FollowImageLog(ctx context.Context, account, image string, attempt int, offset int64) (ImageLog, error) {
	a, rec, err := s.ownedImage(ctx, account, image)
	if err != nil {
		return ImageLog{}, err
	}
	img, err := loadRecord[imageRecord](rec)
	if err != nil {
		return ImageLog{}, err
	}
	out := ImageLog{Offset: offset, Status: img.status(), Attempt: max(img.Attempt, 1)}
	if attempt != 0 && attempt != out.Attempt {
		offset, out.Offset = 0, 0
	}
	key := img.Log
	if key == "" {
		return out, nil // not started yet
	}
	if s.files == nil {
		return ImageLog{}, apierr.ResourceNotFound("The log of %s is not on this server: it has no artifact store.", a)
	}
	out.Data, out.Size, err = s.files.Read(ctx, key, offset, 1<<20)
	switch {
	case errors.Is(err, artifacts.ErrNotFound):
		return out, nil // the worker has not stored its first part yet
	case errors.Is(err, artifacts.ErrOffset):
		return ImageLog{}, apierr.InvalidParameterValue("The value supplied for parameter 'offset' is not valid. The log has %d bytes.", out.Size)
	case err != nil:
		return ImageLog{}, err
	}
	return out, nil
}

// SetImageLog records the artifact key of an image's build log.
func (s *Service) SetImageLog(ctx context.Context, image arn.ARN, key string) error {
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		rec, err := tx.Get(ctx, image)
		if err != nil {
			return storeErr(image, "Image", err)
		}
		img, err := loadRecord[imageRecord](rec)
		if err != nil {
			return err
		}
		img.Log = key
		rec.Data = mustJSON(img)
		_, err = tx.Update(ctx, rec)
		return err
	})
}
