package notify

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

// Status is an image status of the Image Builder API.
type Status string

// The image statuses.
const (
	StatusPending      Status = "PENDING"
	StatusCreating     Status = "CREATING"
	StatusBuilding     Status = "BUILDING"
	StatusTesting      Status = "TESTING"
	StatusDistributing Status = "DISTRIBUTING"
	StatusIntegrating  Status = "INTEGRATING"
	StatusAvailable    Status = "AVAILABLE"
	StatusFailed       Status = "FAILED"
	StatusCancelled    Status = "CANCELLED"
	StatusDeprecated   Status = "DEPRECATED"
	StatusDisabled     Status = "DISABLED"
	StatusDeleted      Status = "DELETED"
)

// Valid reports whether s is one of the image statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusCreating, StatusBuilding, StatusTesting, StatusDistributing,
		StatusIntegrating, StatusAvailable, StatusFailed, StatusCancelled, StatusDeprecated,
		StatusDisabled, StatusDeleted:
		return true
	}
	return false
}

// Notifies reports whether an image entering s is published to its
// infrastructure configuration's topic: AVAILABLE and FAILED, as on AWS,
// and CANCELLED, the third final state, so that whoever waits for a build
// to end hears of every end. An image reaches one final state only, so it
// is notified once.
func (s Status) Notifies() bool {
	return s == StatusAvailable || s == StatusFailed || s == StatusCancelled
}

// Envelope values of every Event.
const (
	EventVersion    = "0"
	DetailTypeImage = "EC2 Image Builder Image State Change"
	// Source is "aws.imagebuilder" so that rules and consumers written for
	// the EventBridge event match unchanged.
	Source = "aws.imagebuilder"
)

// Event is an image state change, as sent to a webhook. See the package
// documentation for its JSON form.
type Event struct {
	Version    string    `json:"version"`
	ID         string    `json:"id"`
	DetailType string    `json:"detail-type"`
	Source     string    `json:"source"`
	Account    string    `json:"account"`
	Time       time.Time `json:"time"`
	Region     string    `json:"region"`
	Resources  []string  `json:"resources"`
	Detail     Detail    `json:"detail"`
}

// Detail is the event-specific part of an Event.
type Detail struct {
	// PreviousState is nil when the previous status is unknown.
	PreviousState *State `json:"previous-state,omitempty"`
	State         State  `json:"state"`
	Image         Image  `json:"image"`
	SNSTopicARN   string `json:"snsTopicArn"`
}

// State is an image status and, usually for FAILED, its reason.
type State struct {
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Image identifies the image build version that changed state.
type Image struct {
	ARN               string `json:"arn"`
	Name              string `json:"name"`
	Version           string `json:"version"`
	BuildVersion      int    `json:"buildVersion"`
	SourcePipelineARN string `json:"sourcePipelineArn,omitempty"`
}

// ImageStateChange is what the builder knows when an image changes state;
// NewEvent turns it into an Event.
type ImageStateChange struct {
	// ImageARN is the image build version ARN (…:image/<name>/<M.m.p>/<build>). Required.
	ImageARN string
	// ImageName is the image's name as created. Default: the name in ImageARN.
	ImageName string
	// PipelineARN is the pipeline that built the image. Optional.
	PipelineARN string
	// TopicARN is the infrastructure configuration's snsTopicArn. Required.
	TopicARN string
	// Previous is the status the image leaves. Optional.
	Previous Status
	// Status is the status the image enters. Required.
	Status Status
	// Reason explains Status; set it for FAILED. Optional.
	Reason string
}

// snsTopicARN is the model's SnsTopicArn pattern.
var snsTopicARN = regexp.MustCompile(`^arn:aws[^:]*:sns:[^:]+:[0-9]{12}:[a-zA-Z0-9-_]{1,256}$`)

// ValidateTopicARN checks that s is an SNS topic ARN as the API accepts it.
func ValidateTopicARN(s string) error {
	if !snsTopicARN.MatchString(s) {
		return fmt.Errorf("topic ARN %q is not an SNS topic ARN; write it as arn:aws:sns:<region>:<12-digit account>:<name>", s)
	}
	return nil
}

// NewEvent builds the Event for c with the given id (a UUID) and time; the
// caller supplies both so that output is reproducible.
func NewEvent(c ImageStateChange, id string, at time.Time) (Event, error) {
	img, err := arn.ImageBuildVersionArn.Parse("imageBuildVersionArn", c.ImageARN)
	if err != nil {
		return Event{}, fmt.Errorf("notify: image ARN: %w", err)
	}
	if c.PipelineARN != "" {
		if _, err := arn.ImagePipelineArn.Parse("imagePipelineArn", c.PipelineARN); err != nil {
			return Event{}, fmt.Errorf("notify: pipeline ARN: %w", err)
		}
	}
	if err := ValidateTopicARN(c.TopicARN); err != nil {
		return Event{}, fmt.Errorf("notify: %w", err)
	}
	if !c.Status.Valid() {
		return Event{}, fmt.Errorf("notify: status %q is not an image status", c.Status)
	}
	if c.Previous != "" && !c.Previous.Valid() {
		return Event{}, fmt.Errorf("notify: previous status %q is not an image status", c.Previous)
	}
	if id == "" {
		return Event{}, errors.New("notify: empty event id; pass a new UUID")
	}
	if at.IsZero() {
		return Event{}, errors.New("notify: zero event time; pass the time of the change")
	}
	name := c.ImageName
	if name == "" {
		name = img.Name
	}
	ev := Event{
		Version:    EventVersion,
		ID:         id,
		DetailType: DetailTypeImage,
		Source:     Source,
		Account:    img.Account,
		Time:       at.UTC().Truncate(time.Second),
		Region:     img.Region,
		Resources:  []string{c.ImageARN},
		Detail: Detail{
			State: State{Status: c.Status, Reason: c.Reason},
			Image: Image{
				ARN:               c.ImageARN,
				Name:              name,
				Version:           img.Version.SemanticString(),
				BuildVersion:      img.Version.Build(),
				SourcePipelineARN: c.PipelineARN,
			},
			SNSTopicARN: c.TopicARN,
		},
	}
	if c.Previous != "" {
		ev.Detail.PreviousState = &State{Status: c.Previous}
	}
	return ev, nil
}
