package toe

import "time"

// EventKind says what happened.
type EventKind string

// Event kinds, in the order a run produces them.
const (
	EventDocumentStart EventKind = "document-start"
	EventPhaseStart    EventKind = "phase-start"
	EventStepStart     EventKind = "step-start"
	EventStepOutput    EventKind = "step-output"
	EventStepEnd       EventKind = "step-end"
	EventPhaseEnd      EventKind = "phase-end"
	EventDocumentEnd   EventKind = "document-end"
	EventReboot        EventKind = "reboot"
)

// Event is one moment of a run, streamed to the caller as it happens
// (the terminal, the build log, the host through the guest agent).
type Event struct {
	Kind     EventKind     `json:"kind"`
	Time     time.Time     `json:"time"`
	Depth    int           `json:"depth"` // 1 for the top documents, 2+ inside ExecuteDocument
	Document string        `json:"document,omitempty"`
	Phase    string        `json:"phase,omitempty"`
	Step     string        `json:"step,omitempty"`
	Action   string        `json:"action,omitempty"`
	Status   Status        `json:"status,omitempty"`
	Message  string        `json:"message,omitempty"`
	Line     string        `json:"line,omitempty"`
	Duration time.Duration `json:"duration,omitempty"`
}
