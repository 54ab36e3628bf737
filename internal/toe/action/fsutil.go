package action

// Helpers shared by the file-system modules (appendfile.go, copyfile.go,
// ...). Names start with fs so they do not collide with other modules'
// helpers in this package.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// fsError is a user-facing message that still matches its cause with
// errors.Is (fs.ErrNotExist, fs.ErrExist, ...).
type fsError struct {
	msg string
	err error
}

func (e *fsError) Error() string { return e.msg }
func (e *fsError) Unwrap() error { return e.err }

// fsErrf builds an fsError wrapping cause.
func fsErrf(cause error, format string, args ...any) error {
	return &fsError{msg: fmt.Sprintf(format, args...), err: cause}
}

// fsExplain turns an os error about path into one that says what to do.
// missing is the advice for a path that does not exist.
func fsExplain(path string, err error, missing string) error {
	switch {
	case errors.Is(err, fs.ErrNotExist) && missing == "":
		return fsErrf(err, "%s does not exist", path)
	case errors.Is(err, fs.ErrNotExist):
		return fsErrf(err, "%s does not exist; %s", path, missing)
	case errors.Is(err, fs.ErrPermission):
		return fsErrf(err, "%s: permission denied; run as a user who may change it, or fix its permissions first", path)
	}
	return err
}

// fsExists is the error for a target that exists while overwrite is false.
func fsExists(path string) error {
	return fsErrf(fs.ErrExist, "%s exists and overwrite is false; set overwrite: true to replace it", path)
}

// fsEach runs fn for each list item in order, stopping at the first
// failure (the remaining items are not processed).
func fsEach[T any](ctx context.Context, items []*T, fn func(in *T) error) (Output, error) {
	for _, in := range items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := fn(in); err != nil {
			return nil, err
		}
	}
	return Output(nil), nil
}

// fsLog returns the step's logger, or a discarding one.
func fsLog(env *Env) *slog.Logger {
	if env == nil || env.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return env.Log
}

// fsAbs makes a relative path absolute against the step's working
// directory (the runner's own directory when WorkDir is empty).
// UNCONFIRMED: AWSTOE does not document what relative paths are relative
// to; the working directory is what ExecuteBash uses too.
func fsAbs(env *Env, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	if env != nil && env.WorkDir != "" {
		p = filepath.Join(env.WorkDir, p)
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// fsAbsDest is fsAbs for a destination, keeping a trailing separator
// (which means "into this folder").
func fsAbsDest(env *Env, p string) string {
	a := fsAbs(env, p)
	if fsEndsWithSep(p) && !fsEndsWithSep(a) {
		a += string(filepath.Separator)
	}
	return a
}

// fsCheckPath reports an empty path.
func fsCheckPath(p *Problems, field, s string) {
	if strings.TrimSpace(s) == "" {
		p.Add(field, "must not be empty; give a file-system path")
	}
}

// --- encodings ---

// fsEncodingNames are the names AWSTOE documents; matching ignores case,
// and (UNCONFIRMED leniency) "-" and "_", so utf16le and UTF_16_LE work.
const fsEncodingNames = "utf8, utf16, utf16-LE, utf16-BE, utf32, utf32-LE, utf32-BE (dashes optional: utf-16-BE)"

// fsCodec reads and writes one encoding (read and write are nil for
// utf8): read honours and strips a byte-order mark; write emits none (UNCONFIRMED: AWSTOE does not say; no
// BOM keeps AppendFile from putting one mid-file).
type fsCodec struct {
	read, write encoding.Encoding
	utf8        bool
}

// fsEncoding returns the codec for a name; "" means utf8. Bare utf16 and
// utf32 are little-endian.
func fsEncoding(name string) (fsCodec, error) {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(strings.TrimSpace(name)))
	u16 := func(e unicode.Endianness) fsCodec {
		return fsCodec{read: unicode.UTF16(e, unicode.UseBOM), write: unicode.UTF16(e, unicode.IgnoreBOM)}
	}
	u32 := func(e utf32.Endianness) fsCodec {
		return fsCodec{read: utf32.UTF32(e, utf32.UseBOM), write: utf32.UTF32(e, utf32.IgnoreBOM)}
	}
	switch n {
	case "", "utf8":
		return fsCodec{utf8: true}, nil
	case "utf16", "utf16le":
		return u16(unicode.LittleEndian), nil
	case "utf16be":
		return u16(unicode.BigEndian), nil
	case "utf32", "utf32le":
		return u32(utf32.LittleEndian), nil
	case "utf32be":
		return u32(utf32.BigEndian), nil
	}
	return fsCodec{}, fmt.Errorf("unknown encoding %q; use one of %s", name, fsEncodingNames)
}

// fsCheckEncoding reports an unknown encoding name.
func fsCheckEncoding(p *Problems, field, name string) {
	if p.Dynamic(name) {
		return
	}
	if _, err := fsEncoding(name); err != nil {
		p.Add(field, "%v", err)
	}
}

// fsEncode encodes UTF-8 text s in the named encoding, without a BOM.
func fsEncode(name, s string) ([]byte, error) {
	c, err := fsEncoding(name)
	if err != nil {
		return nil, err
	}
	if c.utf8 {
		return []byte(s), nil
	}
	return c.write.NewEncoder().Bytes([]byte(s))
}

// fsDecode decodes b from the named encoding to UTF-8 text. UTF-8 input
// must be valid: ReadFile is for text files.
func fsDecode(name string, b []byte) (string, error) {
	c, err := fsEncoding(name)
	if err != nil {
		return "", err
	}
	if c.utf8 {
		// Checked on the raw bytes: the decoder would hide bad bytes as U+FFFD.
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(b) {
			return "", errors.New("the content is not valid utf-8 text; set encoding to the file's encoding (utf16, utf32, ...); binary files cannot be read as text")
		}
		return string(b), nil
	}
	out, err := c.read.NewDecoder().Bytes(b)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// --- permissions ---

// fsParseMode parses a permissions string: octal digits, with or without
// a leading 0 ("755", "0755", "4755" for setuid).
func fsParseMode(s string) (os.FileMode, error) {
	t := strings.TrimSpace(s)
	digits := t
	if len(digits) == 5 && digits[0] == '0' {
		digits = digits[1:]
	}
	ok := len(digits) == 3 || len(digits) == 4
	for _, c := range digits {
		if c < '0' || c > '7' {
			ok = false
		}
	}
	if !ok {
		return 0, fmt.Errorf("permissions must be 3 or 4 octal digits such as \"0755\" or \"644\", got %q", s)
	}
	n, _ := strconv.ParseUint(digits, 8, 32)
	m := os.FileMode(n & 0o777)
	if n&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if n&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if n&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m, nil
}

// fsCheckMode reports a bad permissions string.
func fsCheckMode(p *Problems, field, s string) {
	if p.Dynamic(s) {
		return
	}
	if _, err := fsParseMode(s); err != nil {
		p.Add(field, "%v", err)
	}
}

// fsCheckUnixOnly reports owner, group or permissions given on Windows,
// where they mean nothing.
func fsCheckUnixOnly(p *Problems, fields map[string]string) {
	if HostOS != "windows" {
		return
	}
	for _, f := range []string{"owner", "group", "permissions"} {
		if fields[f] != "" {
			p.Add(f, "%s is not supported on Windows; remove it or set access with ExecutePowerShell", f)
		}
	}
}

// --- owners ---

// fsLookupIDs resolves an owner and group, by name or numeric id, to ids
// for os.Chown; -1 leaves that id unchanged. An empty group with an owner
// means the owner's primary group (as SetFileOwner documents; UNCONFIRMED
// for CreateFile/CreateFolder, which follow the same rule here).
func fsLookupIDs(owner, group string) (uid, gid int, err error) {
	uid, gid = -1, -1
	if owner != "" {
		u, lerr := user.Lookup(owner)
		if lerr == nil {
			uid, _ = strconv.Atoi(u.Uid)
			gid, _ = strconv.Atoi(u.Gid)
		} else if n, nerr := strconv.Atoi(owner); nerr == nil && n >= 0 {
			uid = n
			if u, err := user.LookupId(owner); err == nil {
				gid, _ = strconv.Atoi(u.Gid)
			}
		} else {
			return 0, 0, fsErrf(lerr, "user %q does not exist on this machine; create it in an earlier step or give a numeric uid", owner)
		}
	}
	if group != "" {
		g, lerr := user.LookupGroup(group)
		if lerr == nil {
			gid, _ = strconv.Atoi(g.Gid)
		} else if n, nerr := strconv.Atoi(group); nerr == nil && n >= 0 {
			gid = n
		} else {
			return 0, 0, fsErrf(lerr, "group %q does not exist on this machine; create it in an earlier step or give a numeric gid", group)
		}
	}
	return uid, gid, nil
}

// fsApplyAccess sets owner, group and permissions on path, as given.
func fsApplyAccess(path, owner, group, perms string) error {
	if owner != "" || group != "" {
		uid, gid, err := fsLookupIDs(owner, group)
		if err != nil {
			return err
		}
		if err := os.Chown(path, uid, gid); err != nil {
			return fsExplain(path, err, "")
		}
	}
	if perms != "" {
		m, err := fsParseMode(perms)
		if err != nil {
			return err
		}
		if err := os.Chmod(path, m); err != nil {
			return fsExplain(path, err, "")
		}
	}
	return nil
}

// --- wildcards and destinations ---

// fsLastSep is the index of the last / or \ in s, or -1.
func fsLastSep(s string) int {
	return max(strings.LastIndexByte(s, '/'), strings.LastIndexByte(s, '\\'))
}

// fsEndsWithSep reports whether a destination names a folder to copy or
// move into (it ends with / or \).
func fsEndsWithSep(s string) bool {
	return strings.HasSuffix(s, "/") || strings.HasSuffix(s, `\`)
}

// fsHasWildcard reports whether a path uses the * wildcard.
func fsHasWildcard(s string) bool { return strings.Contains(s, "*") }

// fsCheckWildcard reports a * outside the last path element and, when
// dstField is set, a wildcard source whose destination is not a folder.
func fsCheckWildcard(p *Problems, srcField, src, dstField, dst string) {
	if p.Dynamic(src) || !fsHasWildcard(src) {
		return
	}
	if i := strings.IndexByte(src, '*'); i < fsLastSep(src) {
		p.Add(srcField, "the * wildcard is allowed only in the last path element (%q); list the folders separately", src)
		return
	}
	if dstField != "" && !p.Dynamic(dst) && !fsEndsWithSep(dst) {
		p.Add(dstField, "with a wildcard %s the destination must be a folder ending in /; write %q", srcField, dst+"/")
	}
}

// fsGlob expands the * wildcard in the last element of pattern. Only * is
// special; other glob characters (? [ \) match themselves.
func fsGlob(pattern string) ([]string, error) {
	if runtime.GOOS != "windows" {
		pattern = strings.NewReplacer(`\`, `\\`, `?`, `\?`, `[`, `\[`).Replace(pattern)
	}
	return filepath.Glob(pattern)
}

// fsTarget is where src goes for a destination: into it, keeping the
// source's name, when it ends with a separator; else dst is the new name.
func fsTarget(src, dst string) string {
	if fsEndsWithSep(dst) {
		if runtime.GOOS != "windows" {
			dst = strings.TrimRight(dst, `\`) // Join handles the slashes, and / alone
		}
		return filepath.Join(dst, filepath.Base(src))
	}
	return filepath.Clean(dst)
}

// fsWithin reports whether child is parent or lies inside it.
func fsWithin(parent, child string) bool {
	rel, err := filepath.Rel(parent, child)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// fsSources expands src (absolute) to the paths to act on: the glob
// matches when it has a wildcard, else src itself. keep filters matches.
func fsSources(src string, keep func(fs.FileInfo) bool) ([]string, error) {
	if !fsHasWildcard(src) {
		return []string{src}, nil
	}
	matches, err := fsGlob(src)
	if err != nil {
		return nil, fmt.Errorf("expand %s: %w", src, err)
	}
	var out []string
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && keep(fi) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, fsErrf(fs.ErrNotExist, "nothing matches %s; check the folder and the pattern", src)
	}
	return out, nil
}
