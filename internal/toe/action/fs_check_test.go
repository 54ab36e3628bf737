//go:build unix

package action

import (
	"os"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// fsCheckDoc wraps a step's inputs (each line indented by ten spaces) in a
// document. The first input line is line 13, so "- path" is at 13:11 and its key "path" at 13:13.
func fsCheckDoc(action, inputs string) string {
	var b strings.Builder
	b.WriteString(`name: fs-check
schemaVersion: 1.0
parameters:
  - Dir:
      type: string
      default: /tmp
phases:
  - name: build
    steps:
      - name: Step
        action: ` + action + `
        inputs:
`)
	for _, l := range strings.Split(strings.TrimSpace(inputs), "\n") {
		b.WriteString("          " + l + "\n")
	}
	return b.String()
}

func TestFSCheck(t *testing.T) {
	t.Parallel()
	const in = "phases[0].steps[0].inputs[0]."
	cases := []struct {
		name, action, inputs string
		want                 []string // substrings of the problems, in order; none means valid
	}{
		{"valid create file", "CreateFile", "- path: /tmp/f\n  permissions: '0644'\n  encoding: utf-16-BE\n  owner: nobody", nil},
		{"expressions wait", "CreateFile", "- path: '{{ Dir }}/f'\n  permissions: '{{ Dir }}'\n  encoding: '{{ Dir }}'\n  overwrite: '{{ Dir }}'", nil},
		{"bad permissions digits", "SetFilePermissions", "- path: /tmp/f\n  permissions: \"0999\"",
			[]string{`doc.yaml:14:26: ` + in + `permissions: permissions must be 3 or 4 octal digits such as "0755" or "644", got "0999"`}},
		{"symbolic permissions", "SetFolderPermissions", "- path: /tmp/d\n  permissions: rwx",
			[]string{`14:26: ` + in + `permissions: permissions must be 3 or 4 octal digits`}},
		{"too many digits", "CreateFolder", "- path: /tmp/d\n  permissions: '07777'", nil},
		{"five digits without zero", "CreateFolder", "- path: /tmp/d\n  permissions: '17777'",
			[]string{in + "permissions: permissions must be"}},
		{"missing permissions", "SetFilePermissions", "- path: /tmp/f",
			[]string{"13:13: " + in + "permissions: required"}},
		{"bad encoding", "ReadFile", "- path: /tmp/f\n  encoding: latin-1",
			[]string{`14:23: ` + in + `encoding: unknown encoding "latin-1"; use one of utf8, utf16`}},
		{"encoding on append", "AppendFile", "- path: /tmp/f\n  encoding: ucs2", []string{in + "encoding: unknown encoding"}},
		{"encoding on set", "SetFileEncoding", "- path: /tmp/f\n  encoding: utf7", []string{in + "encoding: unknown encoding"}},
		{"wildcard not last", "CopyFile", "- source: /tmp/*/a.txt\n  destination: /tmp/out/",
			[]string{`13:21: ` + in + `source: the * wildcard is allowed only in the last path element`}},
		{"wildcard destination", "MoveFile", "- source: /tmp/*.txt\n  destination: /tmp/out",
			[]string{`14:26: ` + in + `destination: with a wildcard source the destination must be a folder ending in /; write "/tmp/out/"`}},
		{"wildcard backslash destination", "CopyFolder", `- source: C:\dir\*
  destination: 'C:\out\'`, nil},
		{"wildcard folder ok", "MoveFolder", "- source: /tmp/app*\n  destination: /opt/", nil},
		{"wildcard dynamic destination", "CopyFile", "- source: /tmp/*.txt\n  destination: '{{ Dir }}'", nil},
		{"delete wildcard not last", "DeleteFile", "- path: /var/*/x.log", []string{in + "path: the * wildcard is allowed only in the last"}},
		{"delete wildcard", "DeleteFile", "- path: /var/log/*.log", nil},
		{"bad pattern", "ListFiles", "- path: /tmp\n  fileNamePattern: '[a-'",
			[]string{`14:30: ` + in + `fileNamePattern: "[a-" is not a valid file name pattern`}},
		{"empty path", "DeleteFolder", "- path: ''", []string{"13:19: " + in + "path: must not be empty"}},
		{"empty owner", "SetFolderOwner", "- path: /tmp\n  owner: ''", []string{in + "owner: must not be empty"}},
		{"unknown input", "CreateSymlink", "- path: /tmp/l\n  traget: /tmp/t",
			[]string{in + "target: required", in + `traget: unknown input "traget"`}},
		{"not a bool", "CopyFile", "- source: /a\n  destination: /b\n  overwrite: maybe",
			[]string{"15:24: " + in + `overwrite: must be true or false, got "maybe"`}},
		{"map instead of list", "CreateFolder", "path: /tmp/d",
			[]string{"phases[0].steps[0].inputs: CreateFolder takes a list of items"}},
		{"second item", "DeleteFolder", "- path: /tmp/a\n- path: /tmp/b\n  force: 2",
			[]string{"15:20: phases[0].steps[0].inputs[1].force: must be true or false"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := component.Load("doc.yaml", []byte(fsCheckDoc(c.action, c.inputs)), Set{})
			var got []string
			if ps, ok := err.(component.Problems); ok {
				for _, p := range ps {
					got = append(got, p.String())
				}
			} else if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("problems:\n%s\nwant %d:\n%s", strings.Join(got, "\n"), len(c.want), strings.Join(c.want, "\n"))
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q; want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// TestFSCheckOS: the Set* modules and CreateSymlink run on Linux and macOS
// only; on Windows their documents still validate (a document is valid or
// not wherever it is checked) and running them fails. Owner, group and
// permissions are refused on Windows.
func TestFSCheckOS(t *testing.T) {
	// Not parallel: it changes HostOS.
	old := HostOS
	HostOS = "windows"
	t.Cleanup(func() { HostOS = old })
	for action, inputs := range map[string]string{
		"SetFileOwner":         "- path: C:\\f\n  owner: x",
		"SetFolderOwner":       "- path: C:\\f\n  owner: x",
		"SetFilePermissions":   "- path: C:\\f\n  permissions: '0644'",
		"SetFolderPermissions": "- path: C:\\f\n  permissions: '0644'",
		"CreateSymlink":        "- path: C:\\l\n  target: C:\\t",
	} {
		// Only the permissions input itself is refused on Windows.
		if _, err := component.Load("doc.yaml", []byte(fsCheckDoc(action, inputs)), Set{}); err != nil &&
			(!strings.Contains(action, "Permissions") || strings.Contains(err.Error(), "runs only")) {
			t.Errorf("%s: the document must validate on Windows too: %v", action, err)
		}
		env, _ := sysEnv(t)
		if _, err := sysRun(t, t.Context(), env, action, inputs); err == nil || err.Error() != action+" runs only on Linux and macOS; this runner is on Windows" {
			t.Errorf("%s run on Windows: %v", action, err)
		}
	}
	_, err := component.Load("doc.yaml", []byte(fsCheckDoc("CreateFile", "- path: C:\\f\n  owner: x\n  permissions: '0644'")), Set{})
	if err == nil || !strings.Contains(err.Error(), "14:20: phases[0].steps[0].inputs[0].owner: owner is not supported on Windows") ||
		!strings.Contains(err.Error(), "inputs[0].permissions: permissions is not supported on Windows") {
		t.Errorf("CreateFile: %v", err)
	}
}

func TestFSParseMode(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]os.FileMode{
		"755": 0o755, "0755": 0o755, "644": 0o644, "0000": 0, " 700 ": 0o700, "00644": 0o644,
		"4755": 0o755 | os.ModeSetuid, "2750": 0o750 | os.ModeSetgid, "1777": 0o777 | os.ModeSticky, "07777": 0o777 | os.ModeSetuid | os.ModeSetgid | os.ModeSticky,
	} {
		if got, err := fsParseMode(s); err != nil || got != want {
			t.Errorf("fsParseMode(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0999", "rwx", "rwxr-xr-x", "75", "7", "0o755", "-755", "17777", "077777", "+x"} {
		if _, err := fsParseMode(s); err == nil {
			t.Errorf("fsParseMode(%q) succeeded; want an error", s)
		}
	}
}

func TestFSTarget(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ src, dst, want string }{
		{"/a/x.txt", "/b/", "/b/x.txt"},
		{"/a/x.txt", "/b/y.txt", "/b/y.txt"},
		{"/a/x.txt", `/b\`, "/b/x.txt"},
		{"/a/dir", "/b/c/", "/b/c/dir"},
		{"/a/dir", "/b/c//", "/b/c/dir"},
		{"/a/x.txt", "/", "/x.txt"},
	} {
		if got := fsTarget(c.src, c.dst); got != c.want {
			t.Errorf("fsTarget(%q, %q) = %q; want %q", c.src, c.dst, got, c.want)
		}
	}
}
