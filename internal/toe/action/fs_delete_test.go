//go:build unix

package action

import (
	"io/fs"
	"path/filepath"
	"testing"
)

func TestFSCreateSymlink(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "absolute target, parents", module: "CreateSymlink", files: map[string]string{"t.txt": "T"},
			yaml:  "- path: $T/a/b/l\n  target: $T/t.txt",
			links: map[string]string{"a/b/l": "$T/t.txt"}, want: map[string]string{"a/b/l": "T"}},
		{name: "relative path and target", module: "CreateSymlink", files: map[string]string{"d/t.txt": "T"},
			yaml:  "- path: d/l\n  target: t.txt",
			links: map[string]string{"d/l": "t.txt"}, want: map[string]string{"d/l": "T"}},
		{name: "link to folder", module: "CreateSymlink", files: map[string]string{"d/x": "X"},
			yaml: "- path: $T/l\n  target: $T/d", want: map[string]string{"l/x": "X"}},
		{name: "missing target", module: "CreateSymlink",
			yaml: "- path: $T/l\n  target: $T/nope",
			err:  "create symlink $T/l to $T/nope: $T/nope does not exist; create the target first", is: fs.ErrNotExist, gone: []string{"l"}},
		{name: "existing link without force", module: "CreateSymlink", files: map[string]string{"a": "A", "b": "B"},
			setup: func(t *testing.T, dir string) { fsTestSymlink(t, "a", filepath.Join(dir, "l")) },
			yaml:  "- path: $T/l\n  target: $T/b",
			err:   "$T/l is already a symbolic link (to a) and force is false; set force: true to replace it",
			is:    fs.ErrExist, links: map[string]string{"l": "a"}},
		{name: "existing link with force", module: "CreateSymlink", files: map[string]string{"a": "A", "b": "B"},
			setup: func(t *testing.T, dir string) { fsTestSymlink(t, "a", filepath.Join(dir, "l")) },
			yaml:  "- path: $T/l\n  target: $T/b\n  force: true",
			links: map[string]string{"l": "$T/b"}},
		{name: "file in the way", module: "CreateSymlink", files: map[string]string{"a": "A", "l": "file"},
			yaml: "- path: $T/l\n  target: $T/a\n  force: true",
			err:  "$T/l exists and is not a symbolic link", want: map[string]string{"l": "file"}},
	})
}

func TestFSDeleteFile(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "delete", module: "DeleteFile", files: map[string]string{"a": "A", "b": "B"},
			yaml: "- path: $T/a", gone: []string{"a"}, want: map[string]string{"b": "B"}},
		{name: "wildcard leaves folders", module: "DeleteFile",
			files: map[string]string{"d/a.tmp": "", "d/b.tmp": "", "d/c.txt": "C", "d/e.tmp/x": "X"},
			yaml:  "- path: $T/d/*.tmp", gone: []string{"d/a.tmp", "d/b.tmp"}, want: map[string]string{"d/c.txt": "C", "d/e.tmp/x": "X"}},
		{name: "missing is fine", module: "DeleteFile", yaml: "- path: $T/nope\n- path: $T/none/*.x"},
		{name: "folder", module: "DeleteFile", files: map[string]string{"d/": ""},
			yaml: "- path: $T/d", err: "delete $T/d: it is a folder; use DeleteFolder", want: map[string]string{"d/": ""}},
		{name: "link not target", module: "DeleteFile", files: map[string]string{"t": "T"},
			setup: func(t *testing.T, dir string) { fsTestSymlink(t, "t", filepath.Join(dir, "l")) },
			yaml:  "- path: $T/l", gone: []string{"l"}, want: map[string]string{"t": "T"}},
	})
}

func TestFSDeleteFolder(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "empty", module: "DeleteFolder", files: map[string]string{"d/": ""},
			yaml: "- path: $T/d", gone: []string{"d"}},
		{name: "not empty without force", module: "DeleteFolder", files: map[string]string{"d/x": "X"},
			yaml: "- path: $T/d",
			err:  "delete folder $T/d: $T/d is not empty and force is false; set force: true", want: map[string]string{"d/x": "X"}},
		{name: "force", module: "DeleteFolder", files: map[string]string{"d/x/y": "Y"},
			yaml: "- path: $T/d\n  force: true", gone: []string{"d"}},
		{name: "missing is fine", module: "DeleteFolder", yaml: "- path: $T/nope"},
		{name: "file", module: "DeleteFolder", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  force: true", err: "$T/f is a file; use DeleteFile", want: map[string]string{"f": ""}},
		{name: "link removed, target kept", module: "DeleteFolder", files: map[string]string{"d/x": "X"},
			setup: func(t *testing.T, dir string) { fsTestSymlink(t, "d", filepath.Join(dir, "l")) },
			yaml:  "- path: $T/l\n  force: true", gone: []string{"l"}, want: map[string]string{"d/x": "X"}},
	})
}

func TestFSListFiles(t *testing.T) {
	t.Parallel()
	tree := map[string]string{"d/b.txt": "", "d/a.txt": "", "d/c.log": "", "d/sub/e.txt": "", "d/sub/deep/f.txt": "", "d/empty/": ""}
	fsRunCases(t, []fsCase{
		{name: "top level", module: "ListFiles", files: tree,
			yaml: "- path: $T/d", out: Output{"files": "$T/d/a.txt,$T/d/b.txt,$T/d/c.log"}},
		{name: "pattern", module: "ListFiles", files: tree,
			yaml: "- path: $T/d\n  fileNamePattern: '*.txt'", out: Output{"files": "$T/d/a.txt,$T/d/b.txt"}},
		{name: "recursive", module: "ListFiles", files: tree,
			yaml: "- path: $T/d\n  fileNamePattern: '*.txt'\n  recursive: true",
			out:  Output{"files": "$T/d/a.txt,$T/d/b.txt,$T/d/sub/deep/f.txt,$T/d/sub/e.txt"}},
		{name: "empty folder", module: "ListFiles", files: tree,
			yaml: "- path: $T/d/empty", out: Output{"files": ""}},
		{name: "relative", module: "ListFiles", files: tree,
			yaml: "- path: d/sub", out: Output{"files": "$T/d/sub/e.txt"}},
		{name: "through a link keeps the given path", module: "ListFiles", files: tree,
			setup: func(t *testing.T, dir string) { fsTestSymlink(t, "d/sub", filepath.Join(dir, "l")) },
			yaml:  "- path: $T/l", out: Output{"files": "$T/l/e.txt"}},
		{name: "missing", module: "ListFiles",
			yaml: "- path: $T/nope", err: "list files in $T/nope: $T/nope does not exist", is: fs.ErrNotExist},
		{name: "file", module: "ListFiles", files: tree,
			yaml: "- path: $T/d/a.txt", err: "$T/d/a.txt is a file; give the folder to list"},
	})
}

func TestFSSetOwner(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "file by name", module: "SetFileOwner", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  owner: nobody", owners: map[string][2]int{"f": {65534, 65534}}},
		{name: "file numeric", module: "SetFileOwner", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  owner: 1001\n  group: 1002", owners: map[string][2]int{"f": {1001, 1002}}},
		{name: "file through link", module: "SetFileOwner", files: map[string]string{"f": ""},
			setup: func(t *testing.T, dir string) { fsTestSymlink(t, "f", filepath.Join(dir, "l")) },
			yaml:  "- path: $T/l\n  owner: '7'\n  group: nogroup", owners: map[string][2]int{"f": {7, 65534}, "l": {0, 0}}},
		{name: "file missing", module: "SetFileOwner",
			yaml: "- path: $T/f\n  owner: nobody", err: "set owner of $T/f: $T/f does not exist", is: fs.ErrNotExist},
		{name: "file is folder", module: "SetFileOwner", files: map[string]string{"d/": ""},
			yaml: "- path: $T/d\n  owner: nobody", err: "use SetFolderOwner"},
		{name: "unknown user", module: "SetFileOwner", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  owner: no-such-user-xyz", err: `user "no-such-user-xyz" does not exist`},
		{name: "folder recursive by default", module: "SetFolderOwner", files: map[string]string{"d/a": "", "d/s/b": "", "x": ""},
			setup: func(t *testing.T, dir string) { fsTestSymlink(t, "../x", filepath.Join(dir, "d/l")) },
			yaml:  "- path: $T/d\n  owner: nobody\n  group: '5'",
			owners: map[string][2]int{"d": {65534, 5}, "d/a": {65534, 5}, "d/s": {65534, 5}, "d/s/b": {65534, 5},
				"d/l": {65534, 5}, "x": {0, 0}}},
		{name: "folder not recursive", module: "SetFolderOwner", files: map[string]string{"d/a": ""},
			yaml:   "- path: $T/d\n  owner: '9'\n  recursive: false",
			owners: map[string][2]int{"d": {9, 9}, "d/a": {0, 0}}}, // uid 9 exists on Debian with gid 9
		{name: "folder is file", module: "SetFolderOwner", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  owner: nobody", err: "$T/f is a file; use SetFileOwner"},
	})
}

func TestFSSetPermissions(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "file", module: "SetFilePermissions", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  permissions: '0600'", modes: map[string]fs.FileMode{"f": 0o600}},
		{name: "file unquoted without zero", module: "SetFilePermissions", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  permissions: 755", modes: map[string]fs.FileMode{"f": 0o755}},
		{name: "file sticky", module: "SetFilePermissions", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  permissions: '01777'", modes: map[string]fs.FileMode{"f": 0o777 | fs.ModeSticky}},
		{name: "file missing", module: "SetFilePermissions",
			yaml: "- path: $T/f\n  permissions: '0600'", err: "set permissions of $T/f: $T/f does not exist"},
		{name: "file is folder", module: "SetFilePermissions", files: map[string]string{"d/": ""},
			yaml: "- path: $T/d\n  permissions: '0700'", err: "use SetFolderPermissions"},
		{name: "bad permissions at run time", module: "SetFilePermissions", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  permissions: '0999'", err: "inputs[0].permissions: permissions must be 3 or 4 octal digits"},
		{name: "folder recursive", module: "SetFolderPermissions", files: map[string]string{"d/a": "", "d/s/b": ""},
			yaml:  "- path: $T/d\n  permissions: '0700'",
			modes: map[string]fs.FileMode{"d": 0o700, "d/a": 0o700, "d/s": 0o700, "d/s/b": 0o700}},
		{name: "folder removing access", module: "SetFolderPermissions", files: map[string]string{"d/s/b": ""},
			yaml: "- path: $T/d\n  permissions: '0000'", root: true,
			modes: map[string]fs.FileMode{"d": 0, "d/s": 0, "d/s/b": 0}},
		{name: "folder not recursive", module: "SetFolderPermissions", files: map[string]string{"d/a": ""},
			yaml:  "- path: $T/d\n  permissions: '0711'\n  recursive: false",
			modes: map[string]fs.FileMode{"d": 0o711, "d/a": 0o644}},
		{name: "folder is file", module: "SetFolderPermissions", files: map[string]string{"f": ""},
			yaml: "- path: $T/f\n  permissions: '0700'", err: "$T/f is a file; use SetFilePermissions"},
	})
}
