package service

import (
	"context"
	"slices"

	"github.com/goccy/go-yaml"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// shellDocument wraps a script into a one-step component document, as
// ImportComponent with format SHELL does: ExecuteBash (ExecutePowerShell on
// Windows) in the build phase for a BUILD component, the test phase for a
// TEST one.
func shellDocument(name, description, typ, platform, script string) (string, error) {
	act := "ExecuteBash"
	if platform == "Windows" {
		act = "ExecutePowerShell"
	}
	phase := "build"
	if typ == "TEST" {
		phase = "test"
	}
	type step struct {
		Name   string         `yaml:"name"`
		Action string         `yaml:"action"`
		Inputs map[string]any `yaml:"inputs"`
	}
	type ph struct {
		Name  string `yaml:"name"`
		Steps []step `yaml:"steps"`
	}
	doc := struct {
		Name          string `yaml:"name"`
		Description   string `yaml:"description,omitempty"`
		SchemaVersion string `yaml:"schemaVersion"`
		Phases        []ph   `yaml:"phases"`
	}{Name: name, Description: description, SchemaVersion: "1.0", Phases: []ph{{Name: phase, Steps: []step{{
		Name: "ImportedScript", Action: act, Inputs: map[string]any{"commands": []string{script}},
	}}}}}
	b, err := yaml.MarshalWithOptions(doc, yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return "", apierr.InvalidParameterValue("The value supplied for parameter 'data' is not valid: %v", err)
	}
	return string(b), nil
}

// ImportComponent creates a component from a shell script.
func (s *Service) ImportComponent(ctx context.Context, account string, in ImportComponentInput) (CreateComponentOutput, error) {
	token := in.ClientToken
	in.ClientToken = ""
	if in.Format != "SHELL" {
		return CreateComponentOutput{}, apierr.InvalidParameterValue("The value supplied for parameter 'format' is not valid. It must be SHELL.")
	}
	if !slices.Contains([]string{"BUILD", "TEST"}, in.Type) {
		return CreateComponentOutput{}, apierr.InvalidParameterValue("The value supplied for parameter 'type' is not valid. It must be BUILD or TEST.")
	}
	name, v, err := checkComponentHeader(in.Name, in.SemanticVersion, in.Platform, in.Description, in.ChangeDescription)
	if err != nil {
		return CreateComponentOutput{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return CreateComponentOutput{}, err
	}
	script, err := documentSource(in.Data, in.URI, MaxImportData)
	if err != nil {
		return CreateComponentOutput{}, err
	}
	data, err := shellDocument(in.Name, in.Description, in.Type, in.Platform, script)
	if err != nil {
		return CreateComponentOutput{}, err
	}
	typ, params, err := parsedDocument(data)
	if err != nil {
		return CreateComponentOutput{}, err
	}
	c := &Component{Name: in.Name, Version: v.SemanticString(), Description: in.Description, ChangeDescription: in.ChangeDescription,
		Type: typ, Platform: in.Platform, State: &State{Status: "ACTIVE"}, Parameters: params, Owner: account, Data: data,
		KmsKeyID: in.KmsKeyID, Encrypted: true, Tags: in.Tags}
	return idempotent(ctx, s, account, "ImportComponent", token, in, func(tx store.Tx) (CreateComponentOutput, error) {
		out, err := s.putComponent(ctx, tx, account, name, v, c, token)
		out.LatestVersionReferences = nil // not a member of ImportComponent's response
		return out, err
	})
}
