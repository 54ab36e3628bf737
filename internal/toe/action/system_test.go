package action

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

const sysCheckDoc = `name: test
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: BadAssert
        action: Assert
        inputs:
          stringEqual: a
          value: a
      - name: BadReboot
        action: Reboot
        timeoutSeconds: 60
        inputs:
          delaySeconds: abc
      - name: NegativeReboot
        action: Reboot
        inputs:
          delaySeconds: -5
      - name: Registry
        action: SetRegistry
        inputs:
          - path: HKLM:\SOFTWARE\X
            name: a
            value: 1
            type: DWORD
      - name: Msi
        action: InstallMSI
        inputs: {path: x.msi}
      - name: PS
        action: ExecutePowerShell
        inputs: {commands: [Write-Host hi]}
      - name: EmptyBash
        action: ExecuteBash
        inputs: {commands: []}
      - name: BinaryTypo
        action: ExecuteBinary
        inputs: {path: ls, argument: [x]}
      - name: AssertNone
        action: Assert
      - name: UpdateOSBad
        action: UpdateOS
        inputs: {include: apt}
      - name: GoodAssert
        action: Assert
        inputs:
          and:
            - stringEquals: '{{ build.BinaryTypo.outputs.stdout }}'
              value: x
            - numberGreaterThan: 1
              value: '2'
      - name: GoodReboot
        action: Reboot
        timeoutSeconds: 5
      - name: GoodUpdate
        action: UpdateOS
        inputs: {exclude: [kernel*]}
`

func TestSysCheckProblems(t *testing.T) {
	t.Parallel()
	if HostOS != "linux" {
		t.Skip("the expected problems are those of a Linux runner")
	}
	_, err := component.Load("doc.yaml", []byte(sysCheckDoc), Set{})
	var ps component.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load: %v, want problems", err)
	}
	want := []string{
		`doc.yaml:9:11: phases[0].steps[0].inputs.stringEqual: unknown operator "stringEqual" (did you mean "stringEquals"?)`,
		`doc.yaml:15:25: phases[0].steps[1].inputs.delaySeconds: must be an integer, got "abc"`,
		`doc.yaml:19:25: phases[0].steps[2].inputs.delaySeconds: must be 0 or more, got -5`,
		`doc.yaml:35:28: phases[0].steps[6].inputs.commands: needs at least one command`,
		`doc.yaml:38:28: phases[0].steps[7].inputs.argument: unknown input "argument" (did you mean "arguments"?); this module takes path, arguments`,
		"doc.yaml:39:9: phases[0].steps[8].inputs: Assert needs a condition as its inputs, such as `stringEquals: x` with `value: y`",
		`doc.yaml:43:27: phases[0].steps[9].inputs.include: must be a list of strings, not a scalar`,
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing problem:\n  %s", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("unexpected problem:\n  %s", g)
		}
	}
}

func TestReboot(t *testing.T) {
	t.Parallel()
	cases := []struct {
		inputs  string
		want    time.Duration
		wantErr string
	}{
		{inputs: `{}`, want: 0},
		{inputs: `delaySeconds: 30`, want: 30 * time.Second},
		{inputs: `delaySeconds: "5"`, want: 5 * time.Second},
		{inputs: `delaySeconds: -1`, wantErr: "must be 0 or more"},
		{inputs: `delaySeconds: soon`, wantErr: "must be an integer"},
		{inputs: `delay: 3`, wantErr: `unknown input "delay"`},
	}
	for _, tc := range cases {
		t.Run(tc.inputs, func(t *testing.T) {
			t.Parallel()
			env, _ := sysEnv(t)
			_, err := sysRun(t, t.Context(), env, "Reboot", tc.inputs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			var rr *RebootRequest
			if !errors.As(err, &rr) || rr.Rerun || rr.Delay != tc.want {
				t.Fatalf("err = %#v, want *RebootRequest{Delay: %v, Rerun: false}", err, tc.want)
			}
		})
	}
	t.Run("no inputs", func(t *testing.T) {
		t.Parallel()
		m, _ := Lookup("Reboot")
		env, _ := sysEnv(t)
		_, err := m.Run(t.Context(), env, nil)
		var rr *RebootRequest
		if !errors.As(err, &rr) || rr.Delay != 0 || rr.Rerun {
			t.Fatalf("err = %v, want an immediate reboot", err)
		}
	})
}

func TestWindowsOnlyModulesRefuseToRun(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"SetRegistry":  `[{path: 'HKLM:\SOFTWARE\X', name: a, value: 1, type: DWORD}]`,
		"InstallMSI":   `{path: C:\x.msi}`,
		"UninstallMSI": `{path: C:\x.msi}`,
	}
	for name, inputs := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env, _ := sysEnv(t)
			env.OS = "linux"
			_, err := sysRun(t, t.Context(), env, name, inputs)
			if err == nil || !strings.Contains(err.Error(), name+" runs only on Windows") {
				t.Fatalf("err = %v, want a Windows-only error", err)
			}
		})
	}
}

// sysCheckInputs runs a map or list module's input checks as Check would
// on Windows, without changing HostOS.
func sysCheckInputs[T any](t *testing.T, module, yml string) []string {
	t.Helper()
	m, _ := Lookup(module)
	r := &component.Reporter{}
	m.(*typedModule[T]).decode(sysInputs(t, yml), "inputs", true, r)
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.Path+": "+p.Msg)
	}
	return out
}

func TestMSICheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		inputs string
		want   string // "" means no problems
	}{
		{inputs: `{path: C:\x.msi}`},
		{inputs: `{path: 's3://b/x.msi', reboot: Force, logOptions: 'iwe+', logFile: C:\log.txt, properties: {INSTALLDIR: 'C:\App'}, allowUnsignedInstaller: true}`},
		{inputs: `{path: '{{ build.Dl.outputs.destination }}', reboot: '{{ RebootMode }}'}`},
		{inputs: `{reboot: Allow}`, want: "inputs.path: required"},
		{inputs: `{path: x.msi, reboot: Later}`, want: `inputs.reboot: must be Allow, Force or Skip, got "Later"`},
		{inputs: `{path: x.msi, logOptions: '*VXz'}`, want: `inputs.logOptions: 'z' is not an msiexec log option`},
		{inputs: `{path: x.msi, properties: {reboot: ReallySuppress}}`, want: "inputs.properties: REBOOT is set by the module"},
		{inputs: `{path: x.msi, allowUnsignedInstaller: maybe}`, want: "inputs.allowUnsignedInstaller: must be true or false"},
	}
	for _, tc := range cases {
		for _, module := range []string{"InstallMSI", "UninstallMSI"} {
			got := sysCheckInputs[MSIInputs](t, module, tc.inputs)
			if (tc.want == "") != (len(got) == 0) || (tc.want != "" && !strings.HasPrefix(got[0], tc.want)) {
				t.Errorf("%s %s: problems %q, want %q", module, tc.inputs, got, tc.want)
			}
		}
	}
}
