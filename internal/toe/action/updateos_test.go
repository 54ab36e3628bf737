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

func TestUpdateOSPlan(t *testing.T) {
	t.Parallel()
	apt := "apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
	cases := []struct {
		name                   string
		pm                     string
		include, exclude, held []string
		want                   []string // "cmd" or "cmd | undo"
		wantOK                 []int
		wantErr                bool
	}{
		{name: "apt all", pm: "apt-get", want: []string{"apt-get update", apt + " upgrade"}},
		{name: "apt include", pm: "apt-get", include: []string{"curl", "jq", "curl"}, want: []string{"apt-get update", apt + " install --only-upgrade curl jq"}},
		{name: "apt include minus exclude", pm: "apt-get", include: []string{"curl", "jq"}, exclude: []string{"jq"}, want: []string{"apt-get update", apt + " install --only-upgrade curl"}},
		{name: "apt all excluded", pm: "apt-get", include: []string{"jq"}, exclude: []string{"jq"}, want: nil},
		{name: "apt exclude holds", pm: "apt-get", exclude: []string{"linux-image-amd64", "docker-ce"}, want: []string{"apt-get update", "apt-mark hold linux-image-amd64 docker-ce | apt-mark unhold linux-image-amd64 docker-ce", apt + " upgrade"}},
		{name: "apt exclude already held", pm: "apt-get", exclude: []string{"a", "b"}, held: []string{"a"}, want: []string{"apt-get update", "apt-mark hold b | apt-mark unhold b", apt + " upgrade"}},
		{name: "apt exclude all held", pm: "apt-get", exclude: []string{"a"}, held: []string{"a"}, want: []string{"apt-get update", apt + " upgrade"}},
		{name: "dnf all", pm: "dnf", want: []string{"dnf -y upgrade"}},
		{name: "dnf include exclude", pm: "dnf", include: []string{"kernel*", "curl", "kernel-devel"}, exclude: []string{"kernel-devel"}, want: []string{"dnf -y upgrade --exclude=kernel-devel kernel* curl"}},
		{name: "yum exclude", pm: "yum", exclude: []string{"kernel*", "java"}, want: []string{"yum -y upgrade --exclude=kernel* --exclude=java"}},
		{name: "zypper all", pm: "zypper", want: []string{"zypper --non-interactive refresh", "zypper --non-interactive update"}, wantOK: zypperOKCodes},
		{name: "zypper include exclude", pm: "zypper", include: []string{"curl", "vim"}, exclude: []string{"vim", "kernel-default"}, want: []string{
			"zypper --non-interactive refresh",
			"zypper --non-interactive addlock vim kernel-default | zypper --non-interactive removelock vim kernel-default",
			"zypper --non-interactive update curl",
		}, wantOK: zypperOKCodes},
		{name: "pacman", pm: "pacman", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := updateOSPlan(tc.pm, tc.include, tc.exclude, tc.held)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want an error, got plan %+v", plan)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range plan.commands {
				s := strings.Join(c.args, " ")
				if c.undo != nil {
					s += " | " + strings.Join(c.undo, " ")
				}
				got = append(got, s)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("commands:\n got %q\nwant %q", got, tc.want)
			}
			if !reflect.DeepEqual(plan.okCodes, tc.wantOK) {
				t.Errorf("okCodes = %v, want %v", plan.okCodes, tc.wantOK)
			}
		})
	}
}

// sysFakePrograms writes shell scripts named after programs into a temp dir;
// each records "name args DEBIAN_FRONTEND=..." in log and runs body.
func sysFakePrograms(t *testing.T, bodies map[string]string) (lookPath func(string) (string, error), log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls.log")
	for name, body := range bodies {
		script := "#!/bin/sh\necho \"" + name + " $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND\" >> " + log + "\n" + body + "\n"
		writeProgram(t, filepath.Join(dir, name), script)
	}
	return func(name string) (string, error) {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return "", errors.New(name + ": not found")
		}
		return p, nil
	}, log
}

func TestUpdateOSRun(t *testing.T) {
	t.Parallel()
	const df = " DEBIAN_FRONTEND=noninteractive"
	apt := "apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
	cases := []struct {
		name    string
		progs   map[string]string
		inputs  string
		want    []string
		wantErr string
	}{
		{name: "apt all", progs: map[string]string{"apt-get": "", "dnf": "exit 9"}, inputs: `{}`, want: []string{"apt-get update" + df, apt + " upgrade" + df}},
		{name: "apt include", progs: map[string]string{"apt-get": ""}, inputs: `{include: [curl, jq], exclude: [jq]}`, want: []string{"apt-get update" + df, apt + " install --only-upgrade curl" + df}},
		{
			name:   "apt exclude holds and releases",
			progs:  map[string]string{"apt-get": "", "apt-mark": `if [ "$1" = showhold ]; then echo already; fi`},
			inputs: `{exclude: [already, docker-ce]}`,
			want:   []string{"apt-mark showhold" + df, "apt-get update" + df, "apt-mark hold docker-ce" + df, apt + " upgrade" + df, "apt-mark unhold docker-ce" + df},
		},
		{
			name:    "apt failure still releases",
			progs:   map[string]string{"apt-get": `[ "$1" = update ] || exit 100`, "apt-mark": ""},
			inputs:  `{exclude: [docker-ce]}`,
			want:    []string{"apt-mark showhold" + df, "apt-get update" + df, "apt-mark hold docker-ce" + df, apt + " upgrade" + df, "apt-mark unhold docker-ce" + df},
			wantErr: "exit status 100",
		},
		{name: "dnf", progs: map[string]string{"dnf": "", "yum": "exit 9"}, inputs: `{exclude: [kernel*]}`, want: []string{"dnf -y upgrade --exclude=kernel*" + df}},
		{name: "yum", progs: map[string]string{"yum": ""}, inputs: `{include: [curl]}`, want: []string{"yum -y upgrade curl" + df}},
		{name: "zypper reboot needed is success", progs: map[string]string{"zypper": `[ "$2" = update ] && exit 102; exit 0`}, inputs: `{}`, want: []string{"zypper --non-interactive refresh" + df, "zypper --non-interactive update" + df}},
		{name: "none", progs: map[string]string{"pacman": ""}, inputs: `{}`, wantErr: "UpdateOS found no supported package manager on PATH (looked for apt-get, dnf, yum, zypper)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lookPath, log := sysFakePrograms(t, tc.progs)
			env, console := sysEnv(t)
			_, err := newUpdateOSModule(lookPath).Run(t.Context(), env, sysInputs(t, tc.inputs))
			if tc.wantErr == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			data, _ := os.ReadFile(log)
			var got []string
			if s := strings.TrimSpace(string(data)); s != "" {
				got = strings.Split(s, "\n")
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("calls:\n got %q\nwant %q", got, tc.want)
			}
			if len(tc.want) > 1 && !strings.Contains(console.String(), "+ apt-get update") && strings.HasPrefix(tc.name, "apt") {
				t.Errorf("console does not echo the commands: %q", console.String())
			}
		})
	}
}

// writeProgram writes an executable script through a child process. Written
// from this process, the file could be open for writing in a child forked
// at that moment by a parallel test, and exec would fail with ETXTBSY
// ("text file busy"); the child's descriptor never reaches our forks.
func writeProgram(t *testing.T, path, script string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", `cat > "$1" && chmod 755 "$1"`, "sh", path)
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("write %s: %v: %s", path, err, out)
	}
}
