package toe

import (
	"encoding/json"
	"time"
)

// Status values used in reports, in AWSTOE's spelling.
type Status string

// Statuses. Steps are success, failed, ignoredFailure or skipped; phases,
// documents and runs are success, failed or successWithIgnoredFailure; a
// run stopped by the user or a deadline is cancelled.
const (
	StatusPending                   Status = "pending"
	StatusSuccess                   Status = "success"
	StatusFailed                    Status = "failed"
	StatusIgnoredFailure            Status = "ignoredFailure"
	StatusSuccessWithIgnoredFailure Status = "successWithIgnoredFailure"
	StatusSkipped                   Status = "skipped"
	StatusCancelled                 Status = "cancelled"
)

// OK reports whether the status counts as success.
func (s Status) OK() bool {
	return s == StatusSuccess || s == StatusSuccessWithIgnoredFailure || s == StatusIgnoredFailure || s == StatusSkipped
}

// Time is a timestamp rendered as RFC 3339 with the local offset, as
// AWSTOE writes it.
type Time struct{ time.Time }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte(`""`), nil
	}
	return json.Marshal(t.Format(time.RFC3339))
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339, s)
	t.Time = v
	return err
}

// Report is detailedoutput.json: the whole run.
type Report struct {
	ExecutionID    string            `json:"executionId"`
	Status         Status            `json:"status"`
	StartTime      Time              `json:"startTime"`
	EndTime        Time              `json:"endTime"`
	FailureMessage string            `json:"failureMessage"`
	Documents      []*DocumentReport `json:"documents"`
}

// DocumentReport is one document's part of the run.
type DocumentReport struct {
	Name           string         `json:"name"`
	FilePath       string         `json:"filePath"`
	Status         Status         `json:"status"`
	Description    string         `json:"description"`
	StartTime      Time           `json:"startTime"`
	EndTime        Time           `json:"endTime"`
	FailureMessage string         `json:"failureMessage"`
	Phases         []*PhaseReport `json:"phases"`
}

// PhaseReport is one phase.
type PhaseReport struct {
	Name           string        `json:"name"`
	Status         Status        `json:"status"`
	StartTime      Time          `json:"startTime"`
	EndTime        Time          `json:"endTime"`
	FailureMessage string        `json:"failureMessage"`
	Steps          []*StepReport `json:"steps"`
}

// StepReport is one step. Inputs and Outputs are JSON-encoded strings of a
// list, as AWSTOE writes them.
type StepReport struct {
	Name           string          `json:"name"`
	Status         Status          `json:"status"`
	FailureMessage string          `json:"failureMessage"`
	TimeoutSeconds int             `json:"timeoutSeconds"`
	OnFailure      string          `json:"onFailure"`
	MaxAttempts    int             `json:"maxAttempts"`
	Action         string          `json:"action"`
	StartTime      Time            `json:"startTime"`
	EndTime        Time            `json:"endTime"`
	Inputs         string          `json:"inputs"`
	Outputs        string          `json:"outputs"`
	Loop           any             `json:"loop"`
	DetailedOutput json.RawMessage `json:"detailedOutput"`
	// Attempts is how many attempts ran (a Goldsmith addition).
	Attempts int `json:"attempts,omitempty"`
}

// Summary is the one-object summary printed at the end of a run and
// returned by ExecuteDocument.
type Summary struct {
	ExecutedStepCount      int    `json:"executedStepCount"`
	ExecutionID            string `json:"executionId"`
	FailedStepCount        int    `json:"failedStepCount"`
	FailureMessage         string `json:"failureMessage"`
	IgnoredFailedStepCount int    `json:"ignoredFailedStepCount"`
	LogURL                 string `json:"logUrl"`
	Status                 Status `json:"status"`
}

// Summarize counts the report's steps.
func (r *Report) Summarize(logURL string) Summary {
	s := Summary{ExecutionID: r.ExecutionID, FailureMessage: r.FailureMessage, LogURL: logURL, Status: r.Status}
	for _, d := range r.Documents {
		for _, p := range d.Phases {
			for _, st := range p.Steps {
				switch st.Status {
				case StatusSkipped, StatusPending:
					continue
				case StatusFailed, StatusCancelled:
					s.FailedStepCount++
				case StatusIgnoredFailure:
					s.IgnoredFailedStepCount++
				}
				s.ExecutedStepCount++
			}
		}
	}
	return s
}

// Failure returns the first failed step with its document and phase, or nil.
func (r *Report) Failure() (doc *DocumentReport, phase *PhaseReport, step *StepReport) {
	for _, d := range r.Documents {
		for _, p := range d.Phases {
			for _, st := range p.Steps {
				if st.Status == StatusFailed || st.Status == StatusCancelled {
					return d, p, st
				}
			}
		}
	}
	return nil, nil, nil
}

// rollUp derives a container status from its children's.
func rollUp(children []Status) Status {
	out := StatusSuccess
	for _, c := range children {
		switch c {
		case StatusCancelled:
			return StatusCancelled
		case StatusFailed:
			out = StatusFailed
		case StatusIgnoredFailure, StatusSuccessWithIgnoredFailure:
			if out == StatusSuccess {
				out = StatusSuccessWithIgnoredFailure
			}
		}
	}
	return out
}
