package action

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExecutePowerShellArgs(t *testing.T) {
	t.Parallel()
	if got, want := powerShellArgs("linux", "/s/input.ps1"), []string{"-NoProfile", "-NonInteractive", "-File", "/s/input.ps1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("linux: %q, want %q", got, want)
	}
	if got, want := powerShellArgs("windows", `C:\s\input.ps1`), []string{"-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", `C:\s\input.ps1`}; !reflect.DeepEqual(got, want) {
		t.Errorf("windows: %q, want %q", got, want)
	}
}

// TestExecutePowerShellFake runs the module with a fake pwsh (a shell
// script that prints its arguments and the script it was given).
func TestExecutePowerShellFake(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := filepath.Join(dir, "pwsh")
	body := "#!/bin/sh\necho \"args: $*\"\nfor last; do :; done\ncat \"$last\"\ngrep -q 'exit 3010' \"$last\" && exit 194\ngrep -q 'exit 5' \"$last\" && exit 5\nexit 0\n"
	writeProgram(t, fake, body)
	userScript := filepath.Join(dir, "mine.ps1")
	if err := os.WriteFile(userScript, []byte("Write-Output mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newExecutePowerShellModule(func(string) (string, error) { return fake, nil })
	cases := []struct {
		name, inputs, want, wantErr string
		wantReboot                  bool
	}{
		{name: "commands", inputs: `{commands: ["Write-Output hi", "Write-Output there"]}`, want: "-NoProfile -NonInteractive -File SCRATCH/input.ps1\n\ufeffWrite-Output hi\nWrite-Output there"},
		{name: "file", inputs: `{file: ` + userScript + `}`, want: "-NoProfile -NonInteractive -File " + userScript + "\nWrite-Output mine"},
		{name: "3010 reboots", inputs: `{commands: ["exit 3010"]}`, wantReboot: true},
		{name: "failure", inputs: `{commands: ["exit 5"]}`, wantErr: "exit status 5"},
		{name: "both", inputs: `{commands: [x], file: y.ps1}`, wantErr: "give either commands or file, not both"},
		{name: "neither", inputs: `{}`, wantErr: "needs commands"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env, _ := sysEnv(t)
			out, err := m.Run(t.Context(), env, sysInputs(t, tc.inputs))
			var rr *RebootRequest
			switch {
			case tc.wantReboot:
				if !errors.As(err, &rr) || !rr.Rerun {
					t.Fatalf("err = %v, want reboot-and-rerun", err)
				}
				return
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			want := "args: " + strings.ReplaceAll(tc.want, "SCRATCH", env.ScratchDir)
			if out["stdout"] != want {
				t.Errorf("stdout = %q, want %q", out["stdout"], want)
			}
		})
	}
}

func TestExecutePowerShellMissing(t *testing.T) {
	t.Parallel()
	m := newExecutePowerShellModule(func(string) (string, error) { return "", exec.ErrNotFound })
	env, _ := sysEnv(t)
	_, err := m.Run(t.Context(), env, sysInputs(t, `{commands: [x]}`))
	if err == nil || !strings.Contains(err.Error(), "ExecutePowerShell needs PowerShell (pwsh), which is not installed on this host") {
		t.Fatalf("err = %v", err)
	}
}
