package action

import (
	"context"
	"time"
)

// RebootInputs are Reboot's inputs.
type RebootInputs struct {
	// DelaySeconds waits this long before restarting; default 0.
	DelaySeconds int `input:"delaySeconds"`
}

func init() {
	Register(NewMapModule(Spec[RebootInputs]{
		Name: "Reboot",
		Check: func(in *RebootInputs, p *Problems) {
			if in.DelaySeconds < 0 {
				p.Add("delaySeconds", "must be 0 or more, got %d", in.DelaySeconds)
			}
		},
		// Reboot has no step timeout: AWSTOE ignores timeoutSeconds here, so
		// a value given is accepted without complaint (and the engine does
		// not apply it).
	}, runReboot))
}

// runReboot asks the engine to restart the machine and continue with the
// next step; the engine persists state and performs the restart.
func runReboot(ctx context.Context, env *Env, in *RebootInputs) (Output, error) {
	return nil, &RebootRequest{Delay: time.Duration(in.DelaySeconds) * time.Second, Rerun: false}
}
