//go:build unix

package action

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

// fsCase is one run of a file-system module against a temporary folder.
// In yaml and in expected outputs, $T stands for that folder.
type fsCase struct {
	name   string
	module string
	files  map[string]string // created first; a key ending in / is a folder
	setup  func(t *testing.T, dir string)
	yaml   string
	err    string            // expected error substring; "" means success
	is     error             // the error must match this with errors.Is
	want   map[string]string // file content after the run; a key ending in / is a folder
	gone   []string          // paths that must not exist after the run
	modes  map[string]fs.FileMode
	owners map[string][2]int // uid, gid
	links  map[string]string // link path -> its target as stored
	out    Output
	print  string // expected console text
	root   bool   // needs root (implied by owner or group inputs)
}

func fsRunCases(t *testing.T, cases []fsCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if (c.root || c.owners != nil || strings.Contains(c.yaml, "owner:") || strings.Contains(c.yaml, "group:")) && os.Getuid() != 0 {
				testneed.Missing(t, "changing owners, or modes that lock out the owner, needs root; CI runs these tests as root")
			}
			dir := t.TempDir()
			for p, content := range c.files {
				if strings.HasSuffix(p, "/") {
					fsTestMkdir(t, filepath.Join(dir, p))
					continue
				}
				fsTestWrite(t, filepath.Join(dir, p), content)
			}
			if c.setup != nil {
				c.setup(t, dir)
			}
			out, console, err := fsTestRun(t, c.module, dir, c.yaml)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), strings.ReplaceAll(c.err, "$T", dir)) {
					t.Fatalf("error = %v; want it to contain %q", err, c.err)
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, c.is)
			}
			for p, content := range c.want {
				full := filepath.Join(dir, p)
				if strings.HasSuffix(p, "/") {
					if fi, err := os.Stat(full); err != nil || !fi.IsDir() {
						t.Errorf("%s: want a folder, got %v", p, err)
					}
					continue
				}
				if got := fsTestRead(t, full); got != content {
					t.Errorf("%s = %q; want %q", p, got, content)
				}
			}
			for _, p := range c.gone {
				if _, err := os.Lstat(filepath.Join(dir, p)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s: want it gone, Lstat = %v", p, err)
				}
			}
			for p, m := range c.modes {
				fi, err := os.Stat(filepath.Join(dir, p))
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky); got != m {
					t.Errorf("%s mode = %v; want %v", p, got, m)
				}
			}
			for p, ids := range c.owners {
				fi, err := os.Lstat(filepath.Join(dir, p))
				if err != nil {
					t.Fatal(err)
				}
				st := fi.Sys().(*syscall.Stat_t)
				if int(st.Uid) != ids[0] || int(st.Gid) != ids[1] {
					t.Errorf("%s owner = %d:%d; want %d:%d", p, st.Uid, st.Gid, ids[0], ids[1])
				}
			}
			for p, target := range c.links {
				got, err := os.Readlink(filepath.Join(dir, p))
				if want := strings.ReplaceAll(target, "$T", dir); err != nil || got != want {
					t.Errorf("readlink %s = %q, %v; want %q", p, got, err, want)
				}
			}
			if c.out != nil {
				for k, v := range c.out {
					want := strings.ReplaceAll(v.(string), "$T", dir)
					if out[k] != want {
						t.Errorf("output %s = %q; want %q", k, out[k], want)
					}
				}
			} else if c.err == "" && out != nil {
				t.Errorf("output = %v; want none", out)
			}
			if console.String() != c.print {
				t.Errorf("console = %q; want %q", console.String(), c.print)
			}
		})
	}
}

func fsTestRun(t *testing.T, module, dir, yml string) (Output, *bytes.Buffer, error) {
	t.Helper()
	m, ok := Lookup(module)
	if !ok {
		t.Fatalf("module %s is not registered", module)
	}
	v, err := component.ParseYAML([]byte(strings.ReplaceAll(yml, "$T", dir)))
	if err != nil {
		t.Fatalf("parse inputs: %v", err)
	}
	console := &bytes.Buffer{}
	env := &Env{Console: console, Log: slog.New(slog.DiscardHandler), OS: runtime.GOOS, WorkDir: dir, ScratchDir: t.TempDir()}
	out, err := m.Run(t.Context(), env, v)
	return out, console, err
}

func fsTestWrite(t *testing.T, path, content string) {
	t.Helper()
	fsTestMkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func fsTestMkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

func fsTestRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("read: %v", err)
	}
	return string(b)
}

func TestFSCopyFile(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "new name, parents created", module: "CopyFile", files: map[string]string{"a.txt": "A"},
			yaml: "- source: $T/a.txt\n  destination: $T/out/deep/b.txt",
			want: map[string]string{"a.txt": "A", "out/deep/b.txt": "A"}},
		{name: "into folder keeps name", module: "CopyFile", files: map[string]string{"a.txt": "A"},
			yaml: "- source: $T/a.txt\n  destination: $T/out/",
			want: map[string]string{"out/a.txt": "A"}},
		{name: "relative paths use the working directory", module: "CopyFile", files: map[string]string{"a.txt": "A"},
			yaml: "- source: a.txt\n  destination: b.txt",
			want: map[string]string{"b.txt": "A"}},
		{name: "overwrite defaults to true", module: "CopyFile", files: map[string]string{"a.txt": "new", "b.txt": "old"},
			yaml: "- source: $T/a.txt\n  destination: $T/b.txt",
			want: map[string]string{"b.txt": "new"}},
		{name: "overwrite false", module: "CopyFile", files: map[string]string{"a.txt": "new", "b.txt": "old"},
			yaml: "- source: $T/a.txt\n  destination: $T/b.txt\n  overwrite: false",
			err:  "copy $T/a.txt to $T/b.txt: $T/b.txt exists and overwrite is false; set overwrite: true to replace it",
			is:   fs.ErrExist, want: map[string]string{"b.txt": "old"}},
		{name: "wildcard copies matching files only", module: "CopyFile",
			files: map[string]string{"src/a.txt": "A", "src/b.txt": "B", "src/c.log": "C", "src/d.txt/x": "X", "src/[e].txt": "E"},
			yaml:  "- source: $T/src/*.txt\n  destination: $T/dst/",
			want:  map[string]string{"dst/a.txt": "A", "dst/b.txt": "B", "dst/[e].txt": "E"},
			gone:  []string{"dst/c.log", "dst/d.txt"}},
		{name: "literal glob characters", module: "CopyFile", files: map[string]string{"s[1]/a?.txt": "A", "s1/ab.txt": "no"},
			yaml: "- source: $T/s[1]/a?*\n  destination: $T/dst/",
			want: map[string]string{"dst/a?.txt": "A"}, gone: []string{"dst/ab.txt"}},
		{name: "wildcard needs a folder destination", module: "CopyFile", files: map[string]string{"a.txt": "A"},
			yaml: "- source: $T/*.txt\n  destination: $T/dst",
			err:  "inputs[0].destination: with a wildcard source the destination must be a folder ending in /"},
		{name: "wildcard matches nothing", module: "CopyFile", files: map[string]string{"a.txt": "A"},
			yaml: "- source: $T/*.none\n  destination: $T/dst/",
			err:  "nothing matches $T/*.none", is: fs.ErrNotExist},
		{name: "missing source", module: "CopyFile",
			yaml: "- source: $T/nope.txt\n  destination: $T/b.txt",
			err:  "copy $T/nope.txt to $T/b.txt: $T/nope.txt does not exist; check the path", is: fs.ErrNotExist},
		{name: "destination is a folder", module: "CopyFile", files: map[string]string{"a.txt": "A", "dst/": ""},
			yaml: "- source: $T/a.txt\n  destination: $T/dst",
			err:  "$T/dst is a folder; end the destination with /"},
		{name: "source is a folder", module: "CopyFile", files: map[string]string{"src/": ""},
			yaml: "- source: $T/src\n  destination: $T/dst",
			err:  "use CopyFolder"},
		{name: "same file", module: "CopyFile", files: map[string]string{"a.txt": "A"},
			yaml: "- source: $T/a.txt\n  destination: $T/a.txt",
			err:  "same file", want: map[string]string{"a.txt": "A"}},
		{name: "items run in order and stop at a failure", module: "CopyFile", files: map[string]string{"a.txt": "A"},
			yaml: "- source: $T/a.txt\n  destination: $T/b.txt\n- source: $T/missing\n  destination: $T/c.txt\n- source: $T/a.txt\n  destination: $T/d.txt",
			err:  "$T/missing does not exist", want: map[string]string{"b.txt": "A"}, gone: []string{"c.txt", "d.txt"}},
	})
}

func TestFSCopyFilePermissions(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{{name: "mode kept", module: "CopyFile",
		setup: func(t *testing.T, dir string) {
			fsTestWrite(t, filepath.Join(dir, "run.sh"), "#!/bin/sh")
			if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o751); err != nil {
				t.Fatal(err)
			}
		},
		yaml:  "- source: $T/run.sh\n  destination: $T/bin/",
		modes: map[string]fs.FileMode{"bin/run.sh": 0o751}}})
}
