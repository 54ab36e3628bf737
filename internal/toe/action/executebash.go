package action

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ExecuteBashInputs are ExecuteBash's inputs.
type ExecuteBashInputs struct {
	// Commands are written, in order, one per line, to one script run by
	// bash; the script's exit code is the step's result.
	Commands []string `input:"commands,required"`
}

// bashScriptName is the script ExecuteBash writes in the step's scratch
// directory. UNCONFIRMED: AWSTOE's own location; the name follows its docs.
const bashScriptName = "input.sh"

func init() {
	Register(NewMapModule(Spec[ExecuteBashInputs]{
		Name:    "ExecuteBash",
		Outputs: []string{"stdout"},
		// UNCONFIRMED: the docs list Linux; macOS has bash too, so allow it.
		OS: []string{"linux", "darwin"},
		Check: func(in *ExecuteBashInputs, p *Problems) {
			if len(in.Commands) == 0 {
				p.Add("commands", "needs at least one command")
			}
		},
	}, runExecuteBash))
}

func runExecuteBash(ctx context.Context, env *Env, in *ExecuteBashInputs) (Output, error) {
	script := filepath.Join(env.ScratchDir, bashScriptName)
	body := strings.Join(in.Commands, "\n") + "\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		return nil, fmt.Errorf("write script: %w", err)
	}
	// Not `bash -e`: like AWSTOE, a failing middle command does not stop
	// the script unless it says `set -e` itself.
	stdout, err := runProcess(ctx, env, process{
		name:        "bash",
		args:        []string{script},
		rebootCodes: rebootExitCodes(envOS(env)),
	})
	return Output{"stdout": stdout}, err
}
