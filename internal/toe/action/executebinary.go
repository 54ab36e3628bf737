package action

import (
	"context"
	"strings"
)

// ExecuteBinaryInputs are ExecuteBinary's inputs.
type ExecuteBinaryInputs struct {
	// Path is the program: an absolute or relative path, or a name looked
	// up on PATH.
	Path string `input:"path,required"`
	// Arguments are passed as they are, with no shell in between.
	Arguments []string `input:"arguments"`
}

func init() {
	Register(NewMapModule(Spec[ExecuteBinaryInputs]{
		Name:    "ExecuteBinary",
		Outputs: []string{"stdout"},
		Check: func(in *ExecuteBinaryInputs, p *Problems) {
			if strings.TrimSpace(in.Path) == "" {
				p.Add("path", "must name the program to run")
			}
		},
	}, runExecuteBinary))
}

func runExecuteBinary(ctx context.Context, env *Env, in *ExecuteBinaryInputs) (Output, error) {
	stdout, err := runProcess(ctx, env, process{
		name:        in.Path,
		args:        in.Arguments,
		rebootCodes: rebootExitCodes(envOS(env)),
	})
	return Output{"stdout": stdout}, err
}
