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

// StateChange is an update of an image's state by its worker.
type StateChange struct {
	Status ImageStatus
	Reason string
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
}

// GetImageLog returns an image build's log from offset (at most 1 MiB),
// from the artifact store the workers write it to: a build's log is
// readable from every server that shares the store, while the build runs
// (workers store it every few seconds) and after.
func (s *Service) GetImageLog(ctx context.Context, account, image string, offset int64) (ImageLog, error) {
	a, rec, err := s.ownedImage(ctx, account, image)
	if err != nil {
		return ImageLog{}, err
	}
	img, err := loadRecord[imageRecord](rec)
	if err != nil {
		return ImageLog{}, err
	}
	out := ImageLog{Offset: offset, Status: img.status()}
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
