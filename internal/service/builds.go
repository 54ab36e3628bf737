package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/artifacts"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// Builds puts image builds on the job queue.
type Builds interface {
	// Enqueue adds the build of image to the queue inside tx, the
	// transaction that creates the image's PENDING record: both are
	// committed, or neither.
	Enqueue(ctx context.Context, tx store.Tx, account string, image arn.ARN) error
}

// Notifications tells the outside world of image state changes.
type Notifications interface {
	// NotifyTx records, inside tx (the transaction that makes the change),
	// that ev is to be sent to ev.Topic: the change and its notification
	// are committed together, or neither. It is called only for images
	// whose infrastructure configuration names a topic.
	NotifyTx(ctx context.Context, tx store.Tx, ev ImageEvent) error
}

// ImageStatus is an image build version's state.
type ImageStatus string

// Image states, in the order a build goes through them.
const (
	ImagePending      ImageStatus = "PENDING"
	ImageBuilding     ImageStatus = "BUILDING"
	ImageTesting      ImageStatus = "TESTING"
	ImageDistributing ImageStatus = "DISTRIBUTING"
	ImageAvailable    ImageStatus = "AVAILABLE"
	ImageFailed       ImageStatus = "FAILED"
	ImageCancelled    ImageStatus = "CANCELLED"
)

// Final reports whether a build in this state is over.
func (s ImageStatus) Final() bool {
	return s == ImageAvailable || s == ImageFailed || s == ImageCancelled
}

// BuildComponent is a component of a build, resolved to its build version
// when the image was created.
type BuildComponent struct {
	Arn        string            `json:"arn"`
	Name       string            `json:"name"`
	Version    string            `json:"version"`
	Parameters map[string]string `json:"parameters,omitempty"`
	Data       string            `json:"data"`
}

// BuildSpec is what a worker needs to build an image: frozen at creation,
// so later recipe or component versions do not change a queued build.
type BuildSpec struct {
	Image            arn.ARN          `json:"-"`
	Account          string           `json:"-"`
	Name             string           `json:"name"`
	Version          string           `json:"version"` // x.y.z/n
	ParentImage      string           `json:"parentImage"`
	WorkingDirectory string           `json:"workingDirectory,omitempty"`
	RootVolumeGiB    int              `json:"rootVolumeGiB,omitempty"`
	Components       []BuildComponent `json:"components"`
	TestsEnabled     bool             `json:"testsEnabled"`
	TestTimeoutMin   int              `json:"testTimeoutMinutes,omitempty"`
	Status           ImageStatus      `json:"-"`
}

// buildSpecKey is where the spec lives in the image record (a Goldsmith
// member; AWS clients ignore it).
const buildSpecKey = "goldsmithBuild"

// CreateImage creates an image build version from a recipe and
// configurations and queues its build.
func (s *Service) CreateImage(ctx context.Context, account string, in Object) (Object, error) {
	if str(in, "containerRecipeArn") != "" {
		return nil, apierr.InvalidRequest("CreateImage: container recipes cannot be built yet; give an imageRecipeArn.")
	}
	if err := checkRequired(in, []string{"imageRecipeArn", "infrastructureConfigurationArn"}); err != nil {
		return nil, err
	}
	tags, err := tagsOf(in)
	if err != nil {
		return nil, err
	}
	token := str(in, "clientToken")
	delete(in, "clientToken")
	return idempotent(ctx, s, account, "CreateImage", token, in, func(tx store.Tx) (Object, error) {
		a, err := s.createImage(ctx, tx, account, in, tags, "", "USER_INITIATED")
		if err != nil {
			return nil, err
		}
		return Object{"clientToken": token, "imageBuildVersionArn": a.String()}, nil
	})
}

// StartImagePipelineExecution creates an image build version from a
// pipeline and queues its build.
func (s *Service) StartImagePipelineExecution(ctx context.Context, account string, in Object) (Object, error) {
	token := str(in, "clientToken")
	delete(in, "clientToken")
	pa, err := s.parseARN(arn.ImagePipelineArn, "imagePipelineArn", str(in, "imagePipelineArn"))
	if err != nil {
		return nil, err
	}
	return idempotent(ctx, s, account, "StartImagePipelineExecution", token, in, func(tx store.Tx) (Object, error) {
		a, err := s.StartPipelineTx(ctx, tx, account, pa, "USER_INITIATED")
		if err != nil {
			return nil, err
		}
		return Object{"clientToken": token, "imageBuildVersionArn": a.String()}, nil
	})
}

// StartPipelineTx creates an image from a pipeline inside tx (for the API
// and the scheduler).
func (s *Service) StartPipelineTx(ctx context.Context, tx store.Tx, account string, pa arn.ARN, buildType string) (arn.ARN, error) {
	rec, err := s.getOwned(ctx, tx, account, pa)
	if err != nil {
		return arn.ARN{}, err
	}
	pipe, err := objectOf(rec)
	if err != nil {
		return arn.ARN{}, err
	}
	if str(pipe, "status") == "DISABLED" {
		return arn.ARN{}, apierr.InvalidRequest("The image pipeline %s is DISABLED; enable it (UpdateImagePipeline with status ENABLED) to start it.", pa)
	}
	if str(pipe, "containerRecipeArn") != "" {
		return arn.ARN{}, apierr.InvalidRequest("Image pipeline %s builds a container recipe; container builds are not available yet.", pa)
	}
	in := Object{}
	for _, k := range []string{"imageRecipeArn", "infrastructureConfigurationArn", "distributionConfigurationArn", "imageTestsConfiguration", "enhancedImageMetadataEnabled"} {
		if v, ok := pipe[k]; ok {
			in[k] = v
		}
	}
	return s.createImage(ctx, tx, account, in, nil, pa.String(), buildType)
}

// createImage writes the PENDING image record and enqueues its build.
func (s *Service) createImage(ctx context.Context, tx store.Tx, account string, in Object, tags map[string]string, pipeline, buildType string) (arn.ARN, error) {
	if s.builds == nil {
		return arn.ARN{}, ErrBuildsNotAvailable("CreateImage")
	}
	running, err := tx.Count(ctx, store.Query{Type: arn.Image, Region: s.region, Accounts: []string{account},
		Attrs: map[string][]string{"status": {string(ImagePending), string(ImageBuilding), string(ImageTesting), string(ImageDistributing)}}})
	if err != nil {
		return arn.ARN{}, storeErr(arn.ARN{}, "Image", err)
	}
	if running >= s.limits.ConcurrentBuilds {
		return arn.ARN{}, apierr.ServiceQuotaExceeded("The account has %d image builds running, its quota of concurrent builds; wait for one to finish or cancel one.", running)
	}
	recipeRec, recipe, err := s.member(ctx, tx, account, in, arn.ImageRecipeArn, "imageRecipeArn")
	if err != nil {
		return arn.ARN{}, err
	}
	infraRec, infra, err := s.member(ctx, tx, account, in, arn.InfrastructureConfigurationArn, "infrastructureConfigurationArn")
	if err != nil {
		return arn.ARN{}, err
	}
	var dist Object
	if str(in, "distributionConfigurationArn") != "" {
		if _, dist, err = s.member(ctx, tx, account, in, arn.DistributionConfigurationArn, "distributionConfigurationArn"); err != nil {
			return arn.ARN{}, err
		}
	}
	spec, err := s.buildSpec(ctx, tx, account, recipe)
	if err != nil {
		return arn.ARN{}, err
	}
	tests, _ := in["imageTestsConfiguration"].(map[string]any)
	spec.TestsEnabled = true
	if v, ok := tests["imageTestsEnabled"].(bool); ok {
		spec.TestsEnabled = v
	}
	if v, ok := tests["timeoutMinutes"].(float64); ok {
		spec.TestTimeoutMin = int(v)
	}
	version := arn.New(s.region, account, arn.Image, recipeRec.ARN.Name).WithVersion(recipeRec.ARN.Version.Semantic())
	n, err := tx.NextBuildNumber(ctx, version)
	if err != nil {
		return arn.ARN{}, storeErr(version, "Image", err)
	}
	a := version.WithVersion(recipeRec.ARN.Version.Semantic().WithBuild(n))
	spec.Version = a.Version.String()
	obj := Object{
		"arn": a.String(), "name": recipeRec.ARN.Name, "type": "AMI", "platform": "Linux", "osVersion": "Debian 12",
		"version": a.Version.String(), "imageSource": "CUSTOM", "buildType": buildType,
		"state":                        Object{"status": string(ImagePending)},
		"imageRecipe":                  recipe,
		"dateCreated":                  timestamp(s.now()),
		"owner":                        account,
		"infrastructureConfiguration":  infra,
		"imageTestsConfiguration":      Object{"imageTestsEnabled": spec.TestsEnabled, "timeoutMinutes": max(spec.TestTimeoutMin, 60)},
		"enhancedImageMetadataEnabled": in["enhancedImageMetadataEnabled"] != false,
		"outputResources":              Object{"amis": []any{}},
		buildSpecKey:                   spec,
	}
	if dist != nil {
		obj["distributionConfiguration"] = dist
	}
	if pipeline != "" {
		obj["sourcePipelineArn"] = pipeline
	}
	rec := objectRecord(a, account, obj, imageKind.filters, tags)
	rec.Attrs["status"] = []string{string(ImagePending)}
	if pipeline != "" {
		rec.Attrs["sourcePipelineArn"] = []string{pipeline}
	}
	if _, err := tx.Put(ctx, rec); err != nil {
		return arn.ARN{}, storeErr(a, "Image", err)
	}
	refs := []arn.ARN{recipeRec.ARN, infraRec.ARN}
	if err := tx.SetReferences(ctx, a, refs); err != nil {
		return arn.ARN{}, storeErr(a, "Image", err)
	}
	if err := s.builds.Enqueue(ctx, tx, account, a); err != nil {
		return arn.ARN{}, apierr.Service("Could not queue the build of %s: %v", a, err)
	}
	return a, nil
}

// member resolves the resource an ARN member of in names (x-wildcards to
// the newest visible build) and returns it, without its tags.
func (s *Service) member(ctx context.Context, ex store.Executor, account string, in Object, shape arn.Shape, param string) (store.Record, Object, error) {
	a, err := s.parseARN(shape, param, str(in, param))
	if err != nil {
		return store.Record{}, nil, err
	}
	rec, err := s.resolve(ctx, ex, account, a)
	if err != nil {
		return store.Record{}, nil, err
	}
	obj, err := objectOf(rec)
	if err != nil {
		return store.Record{}, nil, err
	}
	delete(obj, "tags")
	return rec, obj, nil
}

// buildSpec resolves a recipe's components (x-wildcards to the newest
// visible build now) and base image.
func (s *Service) buildSpec(ctx context.Context, ex store.Executor, account string, recipe Object) (*BuildSpec, error) {
	spec := &BuildSpec{Name: str(recipe, "name"), WorkingDirectory: str(recipe, "workingDirectory")}
	base, err := s.parentImage(ctx, ex, account, str(recipe, "parentImage"))
	if err != nil {
		return nil, err
	}
	if base.Account != "aws" || base.Name != BaseImageName {
		return nil, apierr.InvalidRequest("Recipe %s builds on %s; Goldsmith builds only from its base image %s so far.", str(recipe, "arn"), base, BaseImageName)
	}
	spec.ParentImage = BaseImageName
	for _, bdm := range asSlice(recipe["blockDeviceMappings"]) {
		m, _ := bdm.(map[string]any)
		ebs, _ := m["ebs"].(map[string]any)
		if v, ok := ebs["volumeSize"].(float64); ok && int(v) > spec.RootVolumeGiB {
			spec.RootVolumeGiB = int(v)
		}
	}
	for _, c := range asSlice(recipe["components"]) {
		cm, _ := c.(map[string]any)
		ca, err := s.parseARN(arn.ComponentVersionArnOrBuildVersionArn, "componentArn", str(cm, "componentArn"))
		if err != nil {
			return nil, err
		}
		rec, err := s.resolve(ctx, ex, account, ca)
		if err != nil {
			return nil, err
		}
		comp, err := s.componentOf(rec)
		if err != nil {
			return nil, err
		}
		bc := BuildComponent{Arn: rec.ARN.String(), Name: comp.Name, Version: comp.Version, Data: comp.Data}
		for _, p := range asSlice(cm["parameters"]) {
			pm, _ := p.(map[string]any)
			var vals []string
			for _, v := range asSlice(pm["value"]) {
				if sv, ok := v.(string); ok {
					vals = append(vals, sv)
				}
			}
			if bc.Parameters == nil {
				bc.Parameters = map[string]string{}
			}
			bc.Parameters[str(pm, "name")] = strings.Join(vals, ",")
		}
		spec.Components = append(spec.Components, bc)
	}
	return spec, nil
}

// BuildSpecOf reads the build spec of an image (for workers).
func (s *Service) BuildSpecOf(ctx context.Context, account string, image arn.ARN) (*BuildSpec, error) {
	rec, err := s.store.Get(ctx, image)
	if err != nil {
		return nil, storeErr(image, "Image", err)
	}
	var obj struct {
		State struct {
			Status ImageStatus `json:"status"`
		} `json:"state"`
		Spec *BuildSpec `json:"goldsmithBuild"`
	}
	if err := json.Unmarshal(rec.Data, &obj); err != nil || obj.Spec == nil {
		return nil, fmt.Errorf("image %s has no build spec (%v)", image, err)
	}
	obj.Spec.Image, obj.Spec.Account, obj.Spec.Status = image, account, obj.State.Status
	return obj.Spec, nil
}

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
	// SetImageLog does).
	Log string
	// Attempt, when set, is the build's attempt (the queue job's) that
	// makes the change. The first change of a later attempt ends the
	// workflow executions the earlier one left running (FAILED, saying
	// the build restarted); the new attempt's steps go to new executions.
	Attempt int
	// Outputs replaces outputResources when not nil.
	Outputs Object
	// Extra members to set on the image (Goldsmith's own, e.g. timings).
	Extra Object
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
		obj, err := objectOf(rec)
		if err != nil {
			return err
		}
		st, _ := obj["state"].(map[string]any)
		cur = ImageStatus(str(st, "status"))
		if cur.Final() {
			return nil
		}
		state := Object{"status": string(ch.Status)}
		if ch.Reason != "" {
			state["reason"] = ch.Reason
		}
		obj["state"] = state
		if ch.Outputs != nil {
			obj["outputResources"] = ch.Outputs
		}
		maps.Copy(obj, ch.Extra)
		if ch.Log != "" {
			obj[logKey] = ch.Log
		}
		if prev := attemptOf(obj); ch.Attempt > prev {
			if prev > 0 || ch.Attempt > 1 {
				restartWorkflows(obj, max(prev, 1), ch.Attempt, timestamp(s.now()))
			}
			obj[attemptKey] = ch.Attempt
		}
		if ch.Status.Final() {
			closeWorkflows(obj, ch.Status, ch.Reason, timestamp(s.now()))
		}
		delete(obj, "tags")
		rec.Data = mustJSON(obj)
		if rec.Attrs == nil {
			rec.Attrs = map[string][]string{}
		}
		rec.Attrs["status"] = []string{string(ch.Status)}
		if _, err := tx.Update(ctx, rec); err != nil {
			return storeErr(image, "Image", err)
		}
		if cur != ch.Status {
			infra, _ := obj["infrastructureConfiguration"].(map[string]any)
			ev = &ImageEvent{Image: image, Name: str(obj, "name"), Pipeline: str(obj, "sourcePipelineArn"),
				Topic: str(infra, "snsTopicArn"), Previous: cur, Status: ch.Status, Reason: ch.Reason, Time: s.now()}
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

// CancelImageCreation cancels a build that has not finished.
func (s *Service) CancelImageCreation(ctx context.Context, account string, in Object) (Object, error) {
	a, err := s.parseARN(arn.ImageBuildVersionArn, "imageBuildVersionArn", str(in, "imageBuildVersionArn"))
	if err != nil {
		return nil, err
	}
	rec, err := s.getOwned(ctx, s.store, account, a)
	if err != nil {
		return nil, err
	}
	if st := statusOf(rec); st.Final() {
		return nil, apierr.ResourceInUse("The image %s is %s; only a build that has not finished can be cancelled.", a, st)
	}
	cur, err := s.SetImageState(ctx, a, StateChange{Status: ImageCancelled, Reason: "Cancelled by CancelImageCreation."})
	if err != nil {
		return nil, err
	}
	if cur != ImageCancelled {
		return nil, apierr.ResourceInUse("The image %s is %s; only a build that has not finished can be cancelled.", a, cur)
	}
	return Object{"clientToken": str(in, "clientToken"), "imageBuildVersionArn": a.String()}, nil
}

// statusOf is the state of an image record.
func statusOf(rec store.Record) ImageStatus {
	var obj struct {
		State struct {
			Status ImageStatus `json:"status"`
		} `json:"state"`
	}
	_ = json.Unmarshal(rec.Data, &obj)
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

// logKey is where the worker records the artifact key of the build log.
const logKey = "goldsmithLog"

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
	a, err := s.parseARN(arn.ImageBuildVersionArn, "imageBuildVersionArn", image)
	if err != nil {
		return ImageLog{}, err
	}
	rec, err := s.getOwned(ctx, s.store, account, a)
	if err != nil {
		return ImageLog{}, err
	}
	obj, err := objectOf(rec)
	if err != nil {
		return ImageLog{}, err
	}
	out := ImageLog{Offset: offset, Status: statusOf(rec), Attempt: max(attemptOf(obj), 1)}
	if attempt != 0 && attempt != out.Attempt {
		offset, out.Offset = 0, 0
	}
	key := str(obj, logKey)
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
		obj, err := objectOf(rec)
		if err != nil {
			return err
		}
		obj[logKey] = key
		delete(obj, "tags")
		rec.Data = mustJSON(obj)
		_, err = tx.Update(ctx, rec)
		return err
	})
}
