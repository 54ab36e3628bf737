package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/goldsmith-dev/goldsmith/internal/toe"
)

type planDoc struct {
	Path   string
	params map[string]string
}

// toePlan is a run's settings after merging --config and flags (a flag
// wins over the config file).
type toePlan struct {
	docs                                       []planDoc
	phases                                     []string
	params                                     map[string]string
	executionID, logDir, stateDir, bucketOwner string
	trace                                      bool
	logs                                       toeLogFlags
}

func planRun(ctx context.Context, cmd *cobra.Command, f toeFlags) (*toePlan, error) {
	p := &toePlan{executionID: f.executionID, logDir: f.logDir, stateDir: f.stateDir, trace: f.trace, bucketOwner: f.bucketOwner, logs: f.logs}
	if f.config != "" {
		if f.documents != "" || cmd.Flags().Changed("parameters") {
			return nil, errors.New("--config cannot be combined with --documents or --parameters; put them in the config file")
		}
		data, err := newLoader(f.bucketOwner)(ctx, f.config, "")
		if err != nil {
			return nil, err
		}
		c, err := toe.ParseConfig(data)
		if err != nil {
			return nil, configKeyHint(err)
		}
		for _, d := range c.Documents {
			pd := planDoc{Path: d.Path, params: map[string]string{}}
			for _, nv := range d.Parameters {
				pd.params[nv.Name] = nv.Value
			}
			p.docs = append(p.docs, pd)
		}
		p.params = map[string]string{}
		for _, nv := range c.Parameters {
			p.params[nv.Name] = nv.Value
		}
		p.phases = splitList(c.Phases)
		p.executionID = firstNonEmpty(f.executionID, c.ExecutionID)
		p.logDir = firstNonEmpty(f.logDir, c.LogDirectory)
		p.stateDir = firstNonEmpty(f.stateDir, c.StateDirectory)
		p.bucketOwner = firstNonEmpty(f.bucketOwner, c.DocumentS3BucketOwner)
		p.trace = f.trace || c.Trace
		p.logs.fromConfig(c)
	} else {
		for _, d := range splitList(f.documents) {
			p.docs = append(p.docs, planDoc{Path: d})
		}
		if len(p.docs) == 0 {
			return nil, errors.New("give --documents (or --config)")
		}
		params, err := parseParameters(f.parameters)
		if err != nil {
			return nil, err
		}
		p.params = params
	}
	if cmd.Flags().Changed("phases") || f.config == "" {
		p.phases = splitList(f.phases)
	}
	return p, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
