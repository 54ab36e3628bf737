package notify_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestEventGolden pins the JSON format documented in the package comment.
func TestEventGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		change notify.ImageStateChange
		id     string
		at     time.Time
	}{
		{
			golden: "image-state-change-available.json",
			change: notify.ImageStateChange{
				ImageARN:    imageA,
				ImageName:   "Web",
				PipelineARN: pipeline,
				TopicARN:    testTopic,
				Previous:    notify.StatusIntegrating,
				Status:      notify.StatusAvailable,
			},
			id: "6f2c1a3e-0d4b-4a55-9a57-0c1e2d3f4a5b",
			at: time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.FixedZone("CET", 3600)),
		},
		{
			golden: "image-state-change-failed.json",
			change: notify.ImageStateChange{
				ImageARN: imageB,
				TopicARN: testTopic,
				Previous: notify.StatusTesting,
				Status:   notify.StatusFailed,
				Reason:   "test workflow test-image failed at step RunTests: component db-smoke/1.0.0/1 exited with code 3",
			},
			id: "0b1d6c5e-93a2-4c0f-8f3e-5a7b9c1d2e3f",
			at: epoch,
		},
		{
			golden: "image-state-change-building.json",
			change: notify.ImageStateChange{ImageARN: imageA, TopicARN: testTopic, Status: notify.StatusBuilding},
			id:     "c3d4e5f6-a7b8-4c9d-8e0f-112233445566",
			at:     epoch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			ev, err := notify.NewEvent(tt.change, tt.id, tt.at)
			if err != nil {
				t.Fatalf("NewEvent: %v", err)
			}
			got, err := json.MarshalIndent(ev, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("event JSON differs from %s (run go test -update if the change is intended):\ngot:\n%s\nwant:\n%s", path, got, want)
			}
			var back notify.Event
			dec := json.NewDecoder(bytes.NewReader(want))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("decoding %s: %v", path, err)
			}
			if !reflect.DeepEqual(back, ev) {
				t.Errorf("decoding %s:\ngot  %+v\nwant %+v", path, back, ev)
			}
		})
	}
}

func TestNewEventRejects(t *testing.T) {
	t.Parallel()
	valid := notify.ImageStateChange{ImageARN: imageA, TopicARN: testTopic, Status: notify.StatusAvailable}
	tests := []struct {
		name   string
		modify func(*notify.ImageStateChange)
		id     string
		at     time.Time
		want   string
	}{
		{"image ARN without build", func(c *notify.ImageStateChange) { c.ImageARN = strings.TrimSuffix(imageA, "/3") }, "id", epoch, "image ARN"},
		{"recipe ARN", func(c *notify.ImageStateChange) {
			c.ImageARN = "arn:aws:imagebuilder:goldsmith-local-1:123456789012:image-recipe/web/1.2.0"
		}, "id", epoch, "image ARN"},
		{"pipeline ARN", func(c *notify.ImageStateChange) { c.PipelineARN = imageB }, "id", epoch, "pipeline ARN"},
		{"topic ARN", func(c *notify.ImageStateChange) { c.TopicARN = "builds" }, "id", epoch, `topic ARN "builds" is not an SNS topic ARN`},
		{"status", func(c *notify.ImageStateChange) { c.Status = "DONE" }, "id", epoch, `status "DONE"`},
		{"empty status", func(c *notify.ImageStateChange) { c.Status = "" }, "id", epoch, `status ""`},
		{"previous status", func(c *notify.ImageStateChange) { c.Previous = "building" }, "id", epoch, `previous status "building"`},
		{"id", func(*notify.ImageStateChange) {}, "", epoch, "empty event id"},
		{"time", func(*notify.ImageStateChange) {}, "id", time.Time{}, "zero event time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := valid
			tt.modify(&c)
			_, err := notify.NewEvent(c, tt.id, tt.at)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewEvent: got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestStatusNotifies(t *testing.T) {
	t.Parallel()
	for _, s := range []notify.Status{
		notify.StatusPending, notify.StatusCreating, notify.StatusBuilding, notify.StatusTesting,
		notify.StatusDistributing, notify.StatusIntegrating, notify.StatusAvailable, notify.StatusFailed,
		notify.StatusCancelled, notify.StatusDeprecated, notify.StatusDisabled, notify.StatusDeleted,
	} {
		if !s.Valid() {
			t.Errorf("%s.Valid() = false", s)
		}
		want := s == notify.StatusAvailable || s == notify.StatusFailed || s == notify.StatusCancelled
		if got := s.Notifies(); got != want {
			t.Errorf("%s.Notifies() = %v, want %v", s, got, want)
		}
	}
}
