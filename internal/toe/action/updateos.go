package action

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// UpdateOSInputs are UpdateOS's inputs. With neither list every available
// update is installed; with include only those packages are upgraded,
// less any in exclude.
type UpdateOSInputs struct {
	Include []string `input:"include"`
	Exclude []string `input:"exclude"`
}

// packageManagers are the package managers UpdateOS drives, in order of
// preference. UNCONFIRMED: AWSTOE documents apt-get and yum/dnf only;
// zypper (SUSE) is our addition.
var packageManagers = []string{"apt-get", "dnf", "yum", "zypper"}

// aptOptions keep dpkg from asking about changed configuration files: keep
// the local file unless the package's default applies.
var aptOptions = []string{"-y", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"}

// zypperOKCodes are zypper's informational exit codes that follow a
// successful update: updates/security updates still needed, reboot needed,
// zypper restart needed, some repositories skipped.
var zypperOKCodes = []int{100, 101, 102, 103, 106}

func init() { Register(newUpdateOSModule(exec.LookPath)) }

// newUpdateOSModule builds UpdateOS finding programs with lookPath (tests
// pass a fake one instead of changing PATH).
func newUpdateOSModule(lookPath func(string) (string, error)) Module {
	u := updateOS{lookPath: lookPath}
	return NewMapModule(Spec[UpdateOSInputs]{
		Name: "UpdateOS",
		// UNCONFIRMED: AWSTOE also runs UpdateOS on Windows (Windows Update);
		// that is not implemented, so it is refused there at check time.
		OS: []string{"linux"},
		Check: func(in *UpdateOSInputs, p *Problems) {
			for i, s := range in.Include {
				if strings.TrimSpace(s) == "" {
					p.Add("include", "item %d is empty", i)
				}
			}
			for i, s := range in.Exclude {
				if strings.TrimSpace(s) == "" {
					p.Add("exclude", "item %d is empty", i)
				}
			}
		},
	}, u.run)
}

type updateOS struct {
	lookPath func(string) (string, error)
}

// updateCommand is one command of an update plan, with the command that
// undoes it (run at the end, even after a failure, once it has succeeded).
type updateCommand struct {
	args []string
	undo []string
}

// updatePlan is what UpdateOS runs for one package manager.
type updatePlan struct {
	commands []updateCommand // in order; the first failure stops the rest
	okCodes  []int           // non-zero exit codes that are success
}

// updateOSPlan builds the commands that apply updates with package manager
// pm. held are packages already held by the administrator (apt only): they
// are not held again, and so not released afterwards. It is pure.
func updateOSPlan(pm string, include, exclude, held []string) (updatePlan, error) {
	pkgs := subtractPkgs(include, exclude)
	if len(include) > 0 && len(pkgs) == 0 {
		return updatePlan{}, nil // everything included is excluded: nothing to do
	}
	switch pm {
	case "apt-get":
		plan := updatePlan{commands: []updateCommand{{args: []string{"apt-get", "update"}}}}
		if len(pkgs) > 0 {
			args := append(append([]string{"apt-get"}, aptOptions...), "install", "--only-upgrade")
			plan.commands = append(plan.commands, updateCommand{args: append(args, pkgs...)})
			return plan, nil
		}
		// apt-get upgrade has no --exclude: hold the excluded packages for
		// the upgrade and release them afterwards.
		if hold := subtractPkgs(exclude, held); len(hold) > 0 {
			plan.commands = append(plan.commands, updateCommand{
				args: append([]string{"apt-mark", "hold"}, hold...),
				undo: append([]string{"apt-mark", "unhold"}, hold...),
			})
		}
		args := append(append([]string{"apt-get"}, aptOptions...), "upgrade")
		plan.commands = append(plan.commands, updateCommand{args: args})
		return plan, nil
	case "dnf", "yum":
		args := []string{pm, "-y", "upgrade"}
		// --exclude also when include is given: include may hold globs
		// (kernel*) that the plain set difference above cannot subtract.
		for _, e := range exclude {
			args = append(args, "--exclude="+e)
		}
		return updatePlan{commands: []updateCommand{{args: append(args, pkgs...)}}}, nil
	case "zypper":
		plan := updatePlan{okCodes: zypperOKCodes}
		plan.commands = append(plan.commands, updateCommand{args: []string{"zypper", "--non-interactive", "refresh"}})
		// zypper update has no exclude option: lock the packages meanwhile.
		// Known limitation: a lock the administrator had already set on an
		// excluded package is removed afterwards too.
		if len(exclude) > 0 {
			plan.commands = append(plan.commands, updateCommand{
				args: append([]string{"zypper", "--non-interactive", "addlock"}, exclude...),
				undo: append([]string{"zypper", "--non-interactive", "removelock"}, exclude...),
			})
		}
		args := []string{"zypper", "--non-interactive", "update"}
		plan.commands = append(plan.commands, updateCommand{args: append(args, pkgs...)})
		return plan, nil
	}
	return updatePlan{}, fmt.Errorf("unsupported package manager %q", pm)
}

// subtractPkgs returns the items of a not in b, in order, without duplicates.
func subtractPkgs(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// detectPackageManager returns the first of packageManagers found.
func (u updateOS) detectPackageManager() (string, error) {
	for _, pm := range packageManagers {
		if _, err := u.lookPath(pm); err == nil {
			return pm, nil
		}
	}
	return "", fmt.Errorf("UpdateOS found no supported package manager on PATH (looked for %s)", strings.Join(packageManagers, ", "))
}

// undoTimeout bounds each undo command (apt-mark unhold, zypper
// removelock), which runs even after the step was cancelled.
const undoTimeout = 2 * time.Minute

func (u updateOS) run(ctx context.Context, env *Env, in *UpdateOSInputs) (Output, error) {
	pm, err := u.detectPackageManager()
	if err != nil {
		return nil, err
	}
	var held []string
	if pm == "apt-get" && len(in.Include) == 0 && len(in.Exclude) > 0 {
		out, err := u.runCommand(ctx, env, []string{"apt-mark", "showhold"}, nil)
		if err != nil {
			return nil, err
		}
		held = strings.Fields(out)
	}
	plan, err := updateOSPlan(pm, in.Include, in.Exclude, held)
	if err != nil {
		return nil, err
	}
	if len(plan.commands) == 0 {
		envLog(env).Info("UpdateOS: every included package is excluded; nothing to do")
		return nil, nil
	}
	var undo [][]string
	var runErr error
	for _, c := range plan.commands {
		if _, runErr = u.runCommand(ctx, env, c.args, plan.okCodes); runErr != nil {
			break
		}
		if c.undo != nil {
			undo = append(undo, c.undo)
		}
	}
	// Undo even when the step was cancelled or timed out, so no package
	// stays held.
	for i := len(undo) - 1; i >= 0; i-- {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
		_, err := u.runCommand(uctx, env, undo[i], plan.okCodes)
		cancel()
		if err != nil {
			runErr = errors.Join(runErr, fmt.Errorf("undo: %w", err))
		}
	}
	return nil, runErr
}

// runCommand echoes args to the console and runs them.
func (u updateOS) runCommand(ctx context.Context, env *Env, args []string, okCodes []int) (string, error) {
	path, err := u.lookPath(args[0])
	if err != nil {
		return "", fmt.Errorf("UpdateOS: %w", err)
	}
	if env.Console != nil {
		fmt.Fprintf(env.Console, "+ %s\n", strings.Join(args, " "))
	}
	return runProcess(ctx, env, process{
		name:    path,
		args:    args[1:],
		env:     []string{"DEBIAN_FRONTEND=noninteractive"},
		okCodes: okCodes,
	})
}
