package action

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// MSIInputs are the inputs of InstallMSI and UninstallMSI.
type MSIInputs struct {
	// Path is a local path, s3:// URI or http(s) URL of the .msi.
	Path string `input:"path,required"`
	// Reboot is Allow (default: reboot when the installer asks, exit code
	// 1641 or 3010), Force (always) or Skip (never). UNCONFIRMED mapping.
	Reboot string `input:"reboot"`
	// LogOptions are msiexec's /L flags; default "*VX".
	LogOptions string `input:"logOptions"`
	// LogFile is where msiexec logs; no log is kept when empty.
	LogFile string `input:"logFile"`
	// Properties are passed as KEY="value".
	Properties map[string]string `input:"properties"`
	// IgnoreAuthenticodeSignatureErrors installs despite an invalid
	// signature.
	IgnoreAuthenticodeSignatureErrors bool `input:"ignoreAuthenticodeSignatureErrors"`
	// AllowUnsignedInstaller installs an installer with no signature.
	AllowUnsignedInstaller bool `input:"allowUnsignedInstaller"`
}

// msiLogOptionChars are the characters msiexec accepts after /L, in any
// case.
const msiLogOptionChars = "iweaurcmopvx+!*"

// msiReservedProperties may not be set through properties: the module
// itself controls rebooting and the UI. UNCONFIRMED: AWS's list is elided.
var msiReservedProperties = []string{"REBOOT", "REBOOTPROMPT"}

func init() {
	for _, name := range []string{"InstallMSI", "UninstallMSI"} {
		Register(NewMapModule(Spec[MSIInputs]{
			Name:     name,
			Outputs:  []string{"logFile", "msiExitCode", "stdout"},
			OS:       []string{"windows"},
			Defaults: func(in *MSIInputs) { in.Reboot, in.LogOptions = "Allow", "*VX" },
			Check:    checkMSI,
		}, func(ctx context.Context, env *Env, in *MSIInputs) (Output, error) {
			return runMSI(ctx, env, name, in)
		}))
	}
}

func checkMSI(in *MSIInputs, p *Problems) {
	if !p.Dynamic(in.Path) && strings.TrimSpace(in.Path) == "" {
		p.Add("path", "must name the .msi file")
	}
	if !p.Dynamic(in.Reboot) {
		switch in.Reboot {
		case "Allow", "Force", "Skip":
		default:
			p.Add("reboot", "must be Allow, Force or Skip, got %q", in.Reboot)
		}
	}
	if !p.Dynamic(in.LogOptions) {
		for _, c := range in.LogOptions {
			if !strings.ContainsRune(msiLogOptionChars, unicode.ToLower(c)) {
				p.Add("logOptions", "%q is not an msiexec log option; use characters from %q", c, msiLogOptionChars)
				break
			}
		}
	}
	for k := range in.Properties {
		for _, r := range msiReservedProperties {
			if strings.EqualFold(k, r) {
				p.Add("properties", "%s is set by the module (see `reboot`) and cannot be given as a property", r)
			}
		}
	}
}

func runMSI(ctx context.Context, env *Env, name string, in *MSIInputs) (Output, error) {
	// TODO(windows): download s3:// and http(s) paths, check the
	// Authenticode signature, run msiexec with a raw command line
	// (KEY="value" quoting is msiexec's own) and map exit codes
	// (install: 0, 1614, 1641, 3010; uninstall also 1605) and `reboot`.
	return nil, fmt.Errorf("%s is not implemented yet", name)
}
