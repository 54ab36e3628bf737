package action

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ExecutePowerShellInputs are ExecutePowerShell's inputs: exactly one of
// Commands and File.
type ExecutePowerShellInputs struct {
	// Commands are written, one per line, to a .ps1 script run with -File.
	Commands []string `input:"commands"`
	// File is an existing .ps1 script to run with -File.
	File string `input:"file"`
}

const powerShellScriptName = "input.ps1"

// findPowerShell returns the PowerShell to run on goos. On Windows that is
// Windows PowerShell (powershell.exe), as AWSTOE uses, falling back to
// pwsh; elsewhere PowerShell 7 (pwsh).
func findPowerShell(goos string) (string, error) {
	names := []string{"pwsh"}
	if goos == "windows" {
		names = []string{"powershell.exe", "pwsh.exe"}
	}
	var err error
	for _, n := range names {
		var p string
		if p, err = exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", err
}

func init() { Register(newExecutePowerShellModule(findPowerShell)) }

// newExecutePowerShellModule builds ExecutePowerShell finding PowerShell
// with find (tests pass a fake one).
func newExecutePowerShellModule(find func(goos string) (string, error)) Module {
	ps := executePowerShell{find: find}
	return NewMapModule(Spec[ExecutePowerShellInputs]{
		Name:    "ExecutePowerShell",
		Outputs: []string{"stdout"},
		Check: func(in *ExecutePowerShellInputs, p *Problems) {
			switch {
			case len(in.Commands) > 0 && in.File != "":
				p.Add("", "give either commands or file, not both")
			case len(in.Commands) == 0 && strings.TrimSpace(in.File) == "":
				p.Add("", "needs commands (a list of PowerShell lines) or file (a .ps1 script)")
			}
		},
	}, ps.run)
}

type executePowerShell struct {
	find func(goos string) (string, error)
}

func (ps executePowerShell) run(ctx context.Context, env *Env, in *ExecutePowerShellInputs) (Output, error) {
	goos := envOS(env)
	shell, err := ps.find(goos)
	if err != nil {
		return nil, fmt.Errorf("ExecutePowerShell needs PowerShell (pwsh), which is not installed on this host: %w", err)
	}
	script := in.File
	if script == "" {
		script = filepath.Join(env.ScratchDir, powerShellScriptName)
		// A UTF-8 byte order mark, or Windows PowerShell 5.1 reads the
		// script as ANSI and mangles non-ASCII text; pwsh accepts it too.
		body := "\ufeff" + strings.Join(in.Commands, "\n") + "\n"
		if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
			return nil, fmt.Errorf("write script: %w", err)
		}
	}
	stdout, err := runProcess(ctx, env, process{
		name: shell,
		args: powerShellArgs(goos, script),
		// 3010 on Windows; on Linux `exit 3010` arrives as 194 (3010 & 0xff).
		rebootCodes: rebootExitCodes(goos),
	})
	return Output{"stdout": stdout}, err
}

// powerShellArgs are the arguments that run script non-interactively.
func powerShellArgs(goos, script string) []string {
	args := []string{"-NoProfile", "-NonInteractive"}
	if goos == "windows" {
		// Documents run their own scripts; the machine's policy (often
		// Restricted on fresh images) must not stop them.
		args = append(args, "-ExecutionPolicy", "Bypass")
	}
	return append(args, "-File", script)
}
