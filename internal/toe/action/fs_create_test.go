//go:build unix

package action

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestFSCreateFile(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "parents created", module: "CreateFile",
			yaml: "- path: $T/a/b/c.txt\n  content: hello",
			want: map[string]string{"a/b/c.txt": "hello"}},
		{name: "empty content by default", module: "CreateFile",
			yaml: "- path: $T/e.txt", want: map[string]string{"e.txt": ""}},
		{name: "overwrite default", module: "CreateFile", files: map[string]string{"f": "old old old"},
			yaml: "- path: $T/f\n  content: new", want: map[string]string{"f": "new"}},
		{name: "overwrite false", module: "CreateFile", files: map[string]string{"f": "old"},
			yaml: "- path: $T/f\n  content: new\n  overwrite: false",
			err:  "create file $T/f: $T/f exists and overwrite is false; set overwrite: true to replace it",
			is:   fs.ErrExist, want: map[string]string{"f": "old"}},
		{name: "path is a folder", module: "CreateFile", files: map[string]string{"d/": ""},
			yaml: "- path: $T/d", err: "$T/d is a folder"},
		{name: "utf16-BE", module: "CreateFile",
			yaml: "- path: $T/f\n  content: hi\n  encoding: utf16-BE", want: map[string]string{"f": "\x00h\x00i"}},
		{name: "utf-16 is little-endian", module: "CreateFile",
			yaml: "- path: $T/f\n  content: hi\n  encoding: UTF-16", want: map[string]string{"f": "h\x00i\x00"}},
		{name: "utf-32-BE", module: "CreateFile",
			yaml: "- path: $T/f\n  content: é\n  encoding: utf-32-BE", want: map[string]string{"f": "\x00\x00\x00\xe9"}},
		{name: "utf32-LE", module: "CreateFile",
			yaml: "- path: $T/f\n  content: h\n  encoding: utf32-le", want: map[string]string{"f": "h\x00\x00\x00"}},
		{name: "bad encoding", module: "CreateFile",
			yaml: "- path: $T/f\n  encoding: latin1", err: `inputs[0].encoding: unknown encoding "latin1"`, gone: []string{"f"}},
		{name: "permissions not masked", module: "CreateFile",
			yaml: "- path: $T/f\n  permissions: '0666'", modes: map[string]fs.FileMode{"f": 0o666}},
		{name: "permissions without leading zero", module: "CreateFile",
			yaml: "- path: $T/f\n  permissions: 640", modes: map[string]fs.FileMode{"f": 0o640}},
		{name: "setuid", module: "CreateFile",
			yaml: "- path: $T/f\n  permissions: '4755'", modes: map[string]fs.FileMode{"f": 0o755 | fs.ModeSetuid}},
		{name: "owner and group by name", module: "CreateFile",
			yaml: "- path: $T/f\n  owner: nobody\n  group: nogroup", owners: map[string][2]int{"f": {65534, 65534}}},
		{name: "owner's primary group", module: "CreateFile",
			yaml: "- path: $T/f\n  owner: nobody", owners: map[string][2]int{"f": {65534, 65534}}},
		{name: "numeric ids", module: "CreateFile",
			yaml: "- path: $T/f\n  owner: 1234\n  group: '4321'", owners: map[string][2]int{"f": {1234, 4321}}},
		{name: "group only", module: "CreateFile",
			yaml: "- path: $T/f\n  group: nogroup", owners: map[string][2]int{"f": {os.Getuid(), 65534}}},
		{name: "unknown user", module: "CreateFile",
			yaml: "- path: $T/f\n  owner: no-such-user-xyz",
			err:  `create file $T/f: user "no-such-user-xyz" does not exist on this machine; create it in an earlier step or give a numeric uid`},
		{name: "unknown group", module: "CreateFile",
			yaml: "- path: $T/f\n  group: no-such-group-xyz", err: `group "no-such-group-xyz" does not exist`},
	})
}

func TestFSCreateFolder(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "parents", module: "CreateFolder",
			yaml: "- path: $T/a/b/c\n- path: $T/d", want: map[string]string{"a/b/c/": "", "d/": ""}},
		{name: "permissions and owner", module: "CreateFolder",
			yaml:  "- path: $T/p\n  permissions: '0750'\n  owner: '1000'\n  group: '2000'",
			modes: map[string]fs.FileMode{"p": 0o750}, owners: map[string][2]int{"p": {1000, 2000}}},
		{name: "existing kept", module: "CreateFolder", files: map[string]string{"p/x": "X"},
			yaml: "- path: $T/p\n  permissions: '0700'", want: map[string]string{"p/x": "X"},
			modes: map[string]fs.FileMode{"p": 0o700}},
		{name: "overwrite false", module: "CreateFolder", files: map[string]string{"p/": ""},
			yaml: "- path: $T/p\n  overwrite: false", err: "create folder $T/p: $T/p exists and overwrite is false", is: fs.ErrExist},
		{name: "file in the way", module: "CreateFolder", files: map[string]string{"p": "file"},
			yaml: "- path: $T/p", err: "$T/p exists and is a file"},
	})
}

func TestFSAppendFile(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "append", module: "AppendFile", files: map[string]string{"f": "one\n"},
			yaml: "- path: $T/f\n  content: \"two\\n\"\n- path: $T/f\n  content: three",
			want: map[string]string{"f": "one\ntwo\nthree"}},
		{name: "utf16", module: "AppendFile", files: map[string]string{"f": "a\x00"},
			yaml: "- path: $T/f\n  content: b\n  encoding: utf16", want: map[string]string{"f": "a\x00b\x00"}},
		{name: "missing", module: "AppendFile",
			yaml: "- path: $T/f\n  content: x",
			err:  "append to $T/f: $T/f does not exist; create it first with CreateFile", is: fs.ErrNotExist, gone: []string{"f"}},
		{name: "folder", module: "AppendFile", files: map[string]string{"d/": ""},
			yaml: "- path: $T/d\n  content: x", err: "$T/d is a folder"},
	})
}

func TestFSReadFile(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "content", module: "ReadFile", files: map[string]string{"f": "hello\n"},
			yaml: "- path: $T/f", out: Output{"content": "hello\n"}},
		{name: "print", module: "ReadFile", files: map[string]string{"f": "hello"},
			yaml: "- path: $T/f\n  printFileContent: true", out: Output{"content": "hello"}, print: "hello\n"},
		{name: "utf8 bom dropped", module: "ReadFile", files: map[string]string{"f": "\xef\xbb\xbfhi"},
			yaml: "- path: $T/f", out: Output{"content": "hi"}},
		{name: "utf16-BE", module: "ReadFile", files: map[string]string{"f": "\x00h\x00i"},
			yaml: "- path: $T/f\n  encoding: utf-16-be", out: Output{"content": "hi"}},
		{name: "utf16 bom wins", module: "ReadFile", files: map[string]string{"f": "\xfe\xff\x00h\x00i"},
			yaml: "- path: $T/f\n  encoding: utf16", out: Output{"content": "hi"}},
		{name: "utf32", module: "ReadFile", files: map[string]string{"f": "h\x00\x00\x00"},
			yaml: "- path: $T/f\n  encoding: utf32", out: Output{"content": "h"}},
		{name: "not text", module: "ReadFile", files: map[string]string{"f": "\xff\xfe\xfd"},
			yaml: "- path: $T/f", err: "read $T/f: the content is not valid utf-8 text; set encoding"},
		{name: "missing", module: "ReadFile",
			yaml: "- path: $T/f", err: "read $T/f: $T/f does not exist", is: fs.ErrNotExist},
		{name: "folder", module: "ReadFile", files: map[string]string{"d/": ""},
			yaml: "- path: $T/d", err: "$T/d is a folder"},
		{name: "follows links", module: "ReadFile", files: map[string]string{"t": "T"},
			setup: func(t *testing.T, dir string) { fsTestSymlink(t, "t", filepath.Join(dir, "l")) },
			yaml:  "- path: $T/l", out: Output{"content": "T"}},
		{name: "several", module: "ReadFile", files: map[string]string{"a": "A", "b": "B"},
			yaml: "- path: $T/a\n- path: $T/b", out: Output{"content": "A\nB"}},
	})
}

func TestFSSetFileEncoding(t *testing.T) {
	t.Parallel()
	fsRunCases(t, []fsCase{
		{name: "to utf32-BE", module: "SetFileEncoding", files: map[string]string{"f": "h"},
			yaml: "- path: $T/f\n  encoding: utf32-BE", want: map[string]string{"f": "\x00\x00\x00h"}},
		{name: "to utf16-LE", module: "SetFileEncoding", files: map[string]string{"f": "\xef\xbb\xbfhi"},
			yaml: "- path: $T/f\n  encoding: utf-16-LE", want: map[string]string{"f": "h\x00i\x00"}},
		{name: "not utf8", module: "SetFileEncoding", files: map[string]string{"f": "h\x00i\x00\xff"},
			yaml: "- path: $T/f\n  encoding: utf16", err: "converts UTF-8 files only"},
		{name: "missing", module: "SetFileEncoding",
			yaml: "- path: $T/f\n  encoding: utf16", err: "$T/f does not exist"},
	})
}

// TestFSEncodingRoundTrip writes with CreateFile and reads back with
// ReadFile in every documented encoding name.
func TestFSEncodingRoundTrip(t *testing.T) {
	t.Parallel()
	names := []string{"utf8", "utf-8", "utf16", "utf-16", "utf16-LE", "utf-16-LE", "utf16-BE", "utf-16-BE",
		"utf32", "utf-32", "utf32-LE", "utf-32-LE", "utf32-BE", "utf-32-BE", "UTF-16-be", ""}
	const text = "héllo, wörld 😀\nline two"
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			yml := "- path: $T/f\n  encoding: '" + n + "'\n  content: \"héllo, wörld 😀\\nline two\""
			if _, _, err := fsTestRun(t, "CreateFile", dir, yml); err != nil {
				t.Fatal(err)
			}
			out, _, err := fsTestRun(t, "ReadFile", dir, "- path: $T/f\n  encoding: '"+n+"'")
			if err != nil {
				t.Fatal(err)
			}
			if out["content"] != text {
				t.Errorf("content = %q; want %q", out["content"], text)
			}
		})
	}
}

func fsTestSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
