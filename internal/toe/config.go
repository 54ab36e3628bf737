package toe

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Config is the awstoe JSON run configuration (--config).
type Config struct {
	Documents             []ConfigDocument `json:"documents"`
	Phases                string           `json:"phases"`
	Parameters            []NameValue      `json:"parameters"`
	ExecutionID           string           `json:"executionId"`
	LogDirectory          string           `json:"logDirectory"`
	LogS3BucketName       string           `json:"logS3BucketName"`
	LogS3KeyPrefix        string           `json:"logS3KeyPrefix"`
	LogS3BucketOwner      string           `json:"logS3BucketOwner"`
	DocumentS3BucketOwner string           `json:"documentS3BucketOwner"`
	StateDirectory        string           `json:"stateDirectory"`
	CWIgnoreFailures      bool             `json:"cwIgnoreFailures"`
	CWLogGroup            string           `json:"cwLogGroup"`
	CWLogStream           string           `json:"cwLogStream"`
	CWLogRegion           string           `json:"cwLogRegion"`
	Trace                 bool             `json:"trace"`
}

// ConfigDocument is one document of a Config, with its own parameters.
type ConfigDocument struct {
	Path       string      `json:"path"`
	Parameters []NameValue `json:"parameters"`
}

// NameValue is a {name, value} parameter.
type NameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ParseConfig reads a run configuration strictly: unknown keys are errors,
// except "executonId", the spelling AWS's own documentation uses.
func ParseConfig(data []byte) (*Config, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("the config file is not valid JSON: %w", err)
	}
	if v, ok := raw["executonId"]; ok {
		if _, both := raw["executionId"]; !both {
			raw["executionId"] = v
		}
		delete(raw, "executonId")
	}
	norm, _ := json.Marshal(raw)
	dec := json.NewDecoder(bytes.NewReader(norm))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("the config file: %w", err)
	}
	if len(c.Documents) == 0 {
		return nil, fmt.Errorf("the config file has no documents; add \"documents\": [{\"path\": \"...\"}]")
	}
	for i, d := range c.Documents {
		if d.Path == "" {
			return nil, fmt.Errorf("the config file: documents[%d].path is required", i)
		}
		for j, p := range d.Parameters {
			if p.Name == "" {
				return nil, fmt.Errorf("the config file: documents[%d].parameters[%d].name is required", i, j)
			}
		}
	}
	for j, p := range c.Parameters {
		if p.Name == "" {
			return nil, fmt.Errorf("the config file: parameters[%d].name is required", j)
		}
	}
	return &c, nil
}
