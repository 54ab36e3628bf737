//go:build unix

package action

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestFSCopyFolder(t *testing.T) {
	t.Parallel()
	tree := map[string]string{"src/a.txt": "A", "src/sub/b.txt": "B", "src/empty/": ""}
	fsRunCases(t, []fsCase{
		{name: "new name", module: "CopyFolder", files: tree,
			yaml: "- source: $T/src\n  destination: $T/out/copy",
			want: map[string]string{"out/copy/a.txt": "A", "out/copy/sub/b.txt": "B", "out/copy/empty/": "", "src/a.txt": "A"}},
		{name: "into folder", module: "CopyFolder", files: tree,
			yaml: "- source: $T/src\n  destination: $T/out/",
			want: map[string]string{"out/src/a.txt": "A", "out/src/sub/b.txt": "B"}},
		{name: "overwrite merges", module: "CopyFolder",
			files: map[string]string{"src/a.txt": "new", "dst/a.txt": "old", "dst/keep.txt": "K"},
			yaml:  "- source: $T/src\n  destination: $T/dst",
			want:  map[string]string{"dst/a.txt": "new", "dst/keep.txt": "K"}},
		{name: "overwrite false", module: "CopyFolder", files: map[string]string{"src/a.txt": "A", "dst/": ""},
			yaml: "- source: $T/src\n  destination: $T/dst\n  overwrite: false",
			err:  "$T/dst exists and overwrite is false; set overwrite: true", is: fs.ErrExist, gone: []string{"dst/a.txt"}},
		{name: "wildcard folders", module: "CopyFolder",
			files: map[string]string{"src/app1/a": "1", "src/app2/b": "2", "src/apple.txt": "f"},
			yaml:  "- source: $T/src/app*\n  destination: $T/dst/",
			want:  map[string]string{"dst/app1/a": "1", "dst/app2/b": "2"}, gone: []string{"dst/apple.txt"}},
		{name: "into itself", module: "CopyFolder", files: tree,
			yaml: "- source: $T/src\n  destination: $T/src/inner/",
			err:  "the destination is inside the source folder", gone: []string{"src/inner"}},
		{name: "missing source", module: "CopyFolder",
			yaml: "- source: $T/nope\n  destination: $T/dst",
			err:  "copy folder $T/nope to $T/dst: $T/nope does not exist", is: fs.ErrNotExist},
		{name: "source is a file", module: "CopyFolder", files: map[string]string{"a.txt": "A"},
			yaml: "- source: $T/a.txt\n  destination: $T/dst",
			err:  "$T/a.txt is a file; use CopyFile"},
		{name: "links copied as links", module: "CopyFolder", files: map[string]string{"src/a.txt": "A"},
			setup: func(t *testing.T, dir string) {
				if err := os.Symlink("a.txt", filepath.Join(dir, "src/l")); err != nil {
					t.Fatal(err)
				}
			},
			yaml:  "- source: $T/src\n  destination: $T/dst",
			links: map[string]string{"dst/l": "a.txt"}, want: map[string]string{"dst/l": "A"}},
	})
}

func TestFSMoveFile(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "rename with parents", module: "MoveFile", files: map[string]string{"a.txt": "A"},
			yaml: "- source: $T/a.txt\n  destination: $T/x/y/b.txt",
			want: map[string]string{"x/y/b.txt": "A"}, gone: []string{"a.txt"}},
		{name: "overwrite default", module: "MoveFile", files: map[string]string{"a.txt": "A", "b.txt": "old"},
			yaml: "- source: $T/a.txt\n  destination: $T/b.txt",
			want: map[string]string{"b.txt": "A"}, gone: []string{"a.txt"}},
		{name: "overwrite false", module: "MoveFile", files: map[string]string{"a.txt": "A", "b.txt": "old"},
			yaml: "- source: $T/a.txt\n  destination: $T/b.txt\n  overwrite: false",
			err:  "move $T/a.txt to $T/b.txt: $T/b.txt exists and overwrite is false", is: fs.ErrExist,
			want: map[string]string{"a.txt": "A", "b.txt": "old"}},
		{name: "wildcard", module: "MoveFile", files: map[string]string{"s/a.log": "1", "s/b.log": "2", "s/c.txt": "3"},
			yaml: "- source: $T/s/*.log\n  destination: $T/logs/",
			want: map[string]string{"logs/a.log": "1", "logs/b.log": "2", "s/c.txt": "3"}, gone: []string{"s/a.log"}},
		{name: "missing", module: "MoveFile",
			yaml: "- source: $T/a.txt\n  destination: $T/b.txt", err: "$T/a.txt does not exist", is: fs.ErrNotExist},
		{name: "link moved as link", module: "MoveFile", files: map[string]string{"t.txt": "T"},
			setup: func(t *testing.T, dir string) {
				if err := os.Symlink("../t.txt", filepath.Join(dir, "l")); err != nil {
					t.Fatal(err)
				}
			},
			yaml:  "- source: $T/l\n  destination: $T/d/",
			links: map[string]string{"d/l": "../t.txt"}, want: map[string]string{"d/l": "T"}},
	})
}

func TestFSMoveFolder(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "rename with parents", module: "MoveFolder", files: map[string]string{"src/a": "A", "src/s/b": "B"},
			yaml: "- source: $T/src\n  destination: $T/p/q/dst",
			want: map[string]string{"p/q/dst/a": "A", "p/q/dst/s/b": "B"}, gone: []string{"src"}},
		{name: "into folder", module: "MoveFolder", files: map[string]string{"src/a": "A", "out/": ""},
			yaml: "- source: $T/src\n  destination: $T/out/",
			want: map[string]string{"out/src/a": "A"}, gone: []string{"src"}},
		{name: "merge into existing", module: "MoveFolder", files: map[string]string{"src/a": "new", "dst/a": "old", "dst/k": "K"},
			yaml: "- source: $T/src\n  destination: $T/dst",
			want: map[string]string{"dst/a": "new", "dst/k": "K"}, gone: []string{"src"}},
		{name: "overwrite false", module: "MoveFolder", files: map[string]string{"src/a": "A", "dst/": ""},
			yaml: "- source: $T/src\n  destination: $T/dst\n  overwrite: false",
			err:  "$T/dst exists and overwrite is false", want: map[string]string{"src/a": "A"}},
		{name: "missing", module: "MoveFolder",
			yaml: "- source: $T/src\n  destination: $T/dst", err: "move folder $T/src to $T/dst: $T/src does not exist"},
		{name: "into itself", module: "MoveFolder", files: map[string]string{"src/a": "A"},
			yaml: "- source: $T/src\n  destination: $T/src/sub", err: "inside the source folder"},
	})
}
