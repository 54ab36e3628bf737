package workflow

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ManifestFile is the manifest's name in the output folder.
const ManifestFile = "manifest.json"

// Manifest describes a build: what went in, what came out, how long each
// part took.
type Manifest struct {
	Name        string         `json:"name"`
	Version     string         `json:"version"`
	Status      string         `json:"status"`
	Failure     string         `json:"failure,omitempty"`
	CreatedAt   time.Time      `json:"createdAt"`
	Recipe      recipeManifest `json:"recipe"`
	Base        BaseInfo       `json:"baseImage"`
	Components  []*Component   `json:"components"`
	Accelerator string         `json:"accelerator,omitempty"`
	Cache       *CacheSummary  `json:"stepCache,omitempty"`
	Outputs     []Output       `json:"outputs"`
	Packages    int            `json:"packageCount"`
	SBOM        string         `json:"sbom,omitempty"`
	Timings     Timings        `json:"timings"`
	Logs        string         `json:"logs"`
}

type recipeManifest struct {
	File             string `json:"file"`
	Name             string `json:"name"`
	SemanticVersion  string `json:"semanticVersion"`
	ParentImage      string `json:"parentImage"`
	WorkingDirectory string `json:"workingDirectory"`
	RootVolumeGiB    int    `json:"rootVolumeGiB,omitempty"`
}

// BaseInfo is the base image a build started from.
type BaseInfo struct {
	Name   string `json:"name"`
	Digest string `json:"digest"`
	Path   string `json:"path"`
	Cached bool   `json:"cached"`
}

// Output is one image file.
type Output struct {
	Format Format `json:"format"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Timings are where the time went.
type Timings struct {
	Total  time.Duration `json:"totalNs"`
	Steps  []Timing      `json:"steps"`
	Phases []PhaseTiming `json:"phases"`
}

// PhaseTiming is one component phase with its steps.
type PhaseTiming struct {
	Component string        `json:"component"`
	Phase     string        `json:"phase"`
	Status    string        `json:"status"`
	Duration  time.Duration `json:"durationNs"`
	Steps     []StepTiming  `json:"steps"`
}

// StepTiming is one component step.
type StepTiming struct {
	Name     string        `json:"name"`
	Action   string        `json:"action"`
	Status   string        `json:"status"`
	Duration time.Duration `json:"durationNs"`
}

func newManifest(o Options, comps []*Component) *Manifest {
	r := o.Recipe
	return &Manifest{
		Name: r.Name, Version: r.SemanticVersion, Status: "building", CreatedAt: time.Now().UTC(),
		Recipe:     recipeManifest{File: r.File, Name: r.Name, SemanticVersion: r.SemanticVersion, ParentImage: r.ParentImage, WorkingDirectory: r.WorkingDirectory, RootVolumeGiB: r.RootVolumeGiB},
		Components: comps,
		Logs:       "logs/",
	}
}

func (m *Manifest) write(dir string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	return nil
}

// ReadManifest reads a build's manifest.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", filepath.Join(dir, ManifestFile), err)
	}
	return &m, nil
}
