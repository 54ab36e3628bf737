package baseimage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Image is a built base image.
type Image struct {
	// Path is the qcow2 disk.
	Path string `json:"path"`
	// Digest is "sha256:" and the hex sha256 of the raw disk content, which
	// does not depend on how qcow2 happens to lay the content out.
	Digest string `json:"digest"`
	// Key is the content address the image was built for.
	Key string `json:"key"`
	// Spec is the spec the image was built from, with defaults set.
	Spec Spec `json:"spec"`
	// BuildDuration is how long the build took (not the cache lookup).
	BuildDuration time.Duration `json:"buildDuration"`
	// Kernel is the version of the installed kernel.
	Kernel string `json:"kernel"`
}

// build makes the image for spec and key into dir (which must exist and be
// empty): dir/disk.qcow2. Scratch files go to dir/work, removed on return.
func build(ctx context.Context, log *slog.Logger, progress func(Progress), s Spec, key string, sources []SourceFile, dir string) (*Image, error) {
	start := time.Now()
	if os.Geteuid() != 0 {
		return nil, errNotRoot
	}
	defer progress(Progress{Stage: StageDone}) // also after a failure: views close their bars
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		return nil, fmt.Errorf("create the build directory: %w", err)
	}
	defer func() {
		// A cancelled mmdebstrap can leave /dev, /proc and /sys mounted in
		// the tree: detach them first so removal never reaches the host's.
		if err := detachMounts(work); err != nil {
			log.Error("leaving the build directory in place", "dir", work, "err", err)
			return
		}
		os.RemoveAll(work)
	}()
	r := runner{log: log}
	id := deriveIDs(key)
	l := diskLayout(s.DiskSizeMiB)

	// 1. The root tree.
	var srcPaths []string
	for i, sf := range sources {
		p := filepath.Join(work, fmt.Sprintf("%02d-%s", i, sf.Name))
		if err := os.WriteFile(p, []byte(sf.Content), 0o644); err != nil {
			return nil, fmt.Errorf("write apt sources: %w", err)
		}
		srcPaths = append(srcPaths, p)
	}
	overlay := filepath.Join(work, "overlay")
	if err := writeFiles(overlay, rootFiles(s, id), s.SourceDateEpoch); err != nil {
		return nil, err
	}
	rootfs := filepath.Join(work, "rootfs")
	var parser progressParser
	mm := mmdebstrapCommand(s, rootfs, srcPaths, overlay, setupScriptPath)
	progress(Progress{Stage: StageResolve, Item: "apt-get update"})
	err := r.runLines(ctx, mm, func(line string) {
		if p, changed := parser.line(line); changed && p.Stage != StageDone {
			progress(p)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("install Debian %s with mmdebstrap (check that the host's apt sources are reachable): %w", s.Suite, err)
	}
	kernel, err := installedKernel(rootfs)
	if err != nil {
		return nil, err
	}
	paths, err := clampTimes(rootfs, s.SourceDateEpoch)
	if err != nil {
		return nil, err
	}

	// 2. The ESP, as a separate FAT32 file.
	assemble := assembler(progress)
	assemble("boot partition")
	esp := filepath.Join(work, "esp.img")
	if err := makeESP(ctx, r, s, id, l, rootfs, kernel, esp, filepath.Join(work, "esp")); err != nil {
		return nil, err
	}

	// 3. The disk: partition table, MBR boot code, ESP, root filesystem.
	assemble("partition table")
	raw := filepath.Join(work, "disk.raw")
	if err := createSized(raw, l.TotalSectors*Sector); err != nil {
		return nil, err
	}
	if err := r.run(ctx, sfdiskCommand(raw, l, id)); err != nil {
		return nil, fmt.Errorf("partition the disk: %w", err)
	}
	if err := copyInto(raw, 0, gptMBR, 440); err != nil {
		return nil, fmt.Errorf("write syslinux's gptmbr.bin (install the syslinux package): %w", err)
	}
	if err := copyInto(raw, l.ESPStart*Sector, esp, l.ESPSectors*Sector); err != nil {
		return nil, fmt.Errorf("copy the ESP into the disk: %w", err)
	}
	assemble("root file system")
	if err := r.run(ctx, mkfsExt4Command(s, raw, rootfs, l, id)); err != nil {
		return nil, fmt.Errorf("write the root filesystem: %w", err)
	}
	script, err := timestampScript(paths, s.SourceDateEpoch)
	if err != nil {
		return nil, err
	}
	scriptPath := filepath.Join(work, "timestamps.debugfs")
	if err := os.WriteFile(scriptPath, []byte(script), 0o600); err != nil {
		return nil, fmt.Errorf("write the timestamp script: %w", err)
	}
	if err := r.run(ctx, debugfsCommand(s, raw, scriptPath, l)); err != nil {
		return nil, fmt.Errorf("fix root filesystem timestamps: %w", err)
	}
	assemble("checksum")
	digest, err := fileDigest(raw)
	if err != nil {
		return nil, err
	}

	// 4. qcow2.
	assemble("qcow2")
	out := filepath.Join(dir, "disk.qcow2")
	if err := r.run(ctx, convertCommand(raw, out, false)); err != nil {
		return nil, fmt.Errorf("convert the disk to qcow2: %w", err)
	}
	return &Image{Path: out, Digest: digest, Key: key, Spec: s, Kernel: kernel, BuildDuration: time.Since(start)}, nil
}

// assembleSteps is how many steps assembling the disk reports.
const assembleSteps = 5

// assembler returns the function that reports each step of assembling the
// disk, counting them.
func assembler(progress func(Progress)) func(item string) {
	n := 0
	return func(item string) {
		n++
		progress(Progress{Stage: StageAssemble, Done: n - 1, Total: assembleSteps, Item: item})
	}
}

// makeESP builds the FAT32 ESP image file esp, staging its files in stage.
func makeESP(ctx context.Context, r runner, s Spec, id ids, l layout, rootfs, kernel, esp, stage string) error {
	files := espFiles(id)
	if err := writeFiles(stage, files, s.SourceDateEpoch); err != nil {
		return err
	}
	for _, c := range []struct{ src, dst string }{
		{filepath.Join(rootfs, "boot", "vmlinuz-"+kernel), "vmlinuz"},
		{filepath.Join(rootfs, "boot", "initrd.img-"+kernel), "initrd.img"},
		{systemdBootEFI, "EFI/BOOT/BOOTX64.EFI"},
	} {
		dst := filepath.Join(stage, c.dst)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("stage the ESP: %w", err)
		}
		if err := copyInto(dst, 0, c.src, -1); err != nil {
			return fmt.Errorf("stage the ESP (is systemd-boot-efi installed?): %w", err)
		}
		if err := setTimes(dst, s.SourceDateEpoch); err != nil {
			return err
		}
	}
	if err := createSized(esp, l.ESPSectors*Sector); err != nil {
		return err
	}
	if err := r.run(ctx, mkfsVfatCommand(esp, id)); err != nil {
		return fmt.Errorf("make the ESP filesystem (install dosfstools): %w", err)
	}
	// Directories first, in sorted order, then files: stable FAT layout.
	var dirs, regular []string
	err := filepath.WalkDir(stage, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == stage {
			return err
		}
		rel, _ := filepath.Rel(stage, p)
		if d.IsDir() {
			dirs = append(dirs, "::/"+filepath.ToSlash(rel))
		} else {
			regular = append(regular, rel)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("stage the ESP: %w", err)
	}
	if err := r.run(ctx, mmdCommand(s, esp, dirs...)); err != nil {
		return fmt.Errorf("make ESP directories (install mtools): %w", err)
	}
	for _, rel := range regular {
		if err := r.run(ctx, mcopyCommand(s, esp, filepath.Join(stage, rel), "::/"+filepath.ToSlash(rel))); err != nil {
			return fmt.Errorf("copy %s to the ESP: %w", rel, err)
		}
	}
	if err := r.run(ctx, syslinuxCommand(s, esp)); err != nil {
		return fmt.Errorf("install syslinux into the ESP (install the syslinux package): %w", err)
	}
	return nil
}

// installedKernel returns the version of the one kernel in rootfs/boot.
func installedKernel(rootfs string) (string, error) {
	m, _ := filepath.Glob(filepath.Join(rootfs, "boot", "vmlinuz-*"))
	if len(m) != 1 {
		return "", fmt.Errorf("expected one kernel in the image's /boot, found %d: make sure linux-image-amd64 is in the package list", len(m))
	}
	return strings.TrimPrefix(filepath.Base(m[0]), "vmlinuz-"), nil
}

// writeFiles writes files under root with their modes and mtime epoch.
func writeFiles(root string, files []file, epoch int64) error {
	for _, f := range files {
		p := filepath.Join(root, f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		if err := os.WriteFile(p, []byte(f.Content), fs.FileMode(f.Mode)); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		if err := os.Chmod(p, fs.FileMode(f.Mode)); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	_, err := clampTimes(root, epoch)
	return err
}

// clampTimes sets the atime of every file under root to its mtime and both to
// epoch where the mtime is later, like tar --clamp-mtime. It returns every
// path, relative to root with a leading "/", sorted.
func clampTimes(root string, epoch int64) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			rel = ""
		}
		paths = append(paths, "/"+filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("clamp timestamps: %w", err)
	}
	// Children before parents: setting a child's times does not touch its
	// parent directory, but be safe and do directories last.
	for i := len(paths) - 1; i >= 0; i-- {
		p := filepath.Join(root, paths[i])
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return nil, fmt.Errorf("clamp timestamps: %w", err)
		}
		t := min(st.Mtim.Sec, epoch)
		ts := []unix.Timespec{{Sec: t}, {Sec: t}}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return nil, fmt.Errorf("clamp timestamps: %w", err)
		}
	}
	sort.Strings(paths)
	return paths, nil
}

func setTimes(p string, epoch int64) error {
	t := time.Unix(epoch, 0)
	if err := os.Chtimes(p, t, t); err != nil {
		return fmt.Errorf("set timestamps: %w", err)
	}
	return nil
}

// detachMounts lazily unmounts every mount at or below dir, deepest first.
func detachMounts(dir string) error {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("list mounts: %w", err)
	}
	var points []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		p := unescapeMount(f[4])
		if p == dir || strings.HasPrefix(p, dir+"/") {
			points = append(points, p)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(points)))
	for _, p := range points {
		if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("unmount %s: %w", p, err)
		}
	}
	return nil
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// createSized creates a sparse file of size bytes.
func createSized(p string, size int64) error {
	f, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("create %s: %w", filepath.Base(p), err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return fmt.Errorf("size %s: %w", filepath.Base(p), err)
	}
	return f.Close()
}

// copyInto copies n bytes (all if n < 0) of src into dst at offset, creating
// dst if needed and never truncating it.
func copyInto(dst string, offset int64, src string, n int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	var r io.Reader = in
	if n >= 0 {
		r = io.LimitReader(in, n)
	}
	if _, err := io.Copy(io.NewOffsetWriter(out, offset), r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// fileDigest is "sha256:" and the hex sha256 of a file's content.
func fileDigest(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("digest the disk: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("digest the disk: %w", err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// runner runs commands, logging each and keeping the tail of its output for
// errors. Commands die with the context.
type runner struct{ log *slog.Logger }

func (r runner) run(ctx context.Context, c command) error { return r.runLines(ctx, c, nil) }

// runLines is run that also hands every output line to lines (nil: none).
func (r runner) runLines(ctx context.Context, c command, lines func(string)) error {
	start := time.Now()
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Env = append(os.Environ(), c.Env...)
	if c.Stdin != "" {
		cmd.Stdin = strings.NewReader(c.Stdin)
	}
	var out tailBuffer
	var w io.Writer = &out
	if lines != nil {
		lw := &lineWriter{fn: lines}
		defer lw.flush()
		w = io.MultiWriter(&out, lw)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if c.Quiet != "" {
		cmd.Stdout = io.Discard
	}
	// Own process group. On cancel, SIGTERM lets mmdebstrap unmount what it
	// mounted; then everything left in the group is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if cmd.Process != nil && ctx.Err() != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	r.log.Debug("ran", "cmd", c.String(), "duration", time.Since(start).Round(time.Millisecond), "err", err)
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", c.Args[0], ctx.Err())
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) || errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("%s: %w\n%s", c.Args[0], err, out.String())
		}
		return fmt.Errorf("%s: %w", c.Args[0], err)
	}
	if c.Quiet != "" {
		for _, line := range strings.Split(out.String(), "\n") {
			if line != "" && !strings.HasPrefix(line, c.Quiet) {
				return fmt.Errorf("%s reported an error: %s", c.Args[0], out.String())
			}
		}
	}
	return nil
}

// lineWriter hands what is written to it to fn, one line at a time.
type lineWriter struct {
	fn      func(string)
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.fn(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

func (w *lineWriter) flush() {
	if len(w.partial) > 0 {
		w.fn(string(w.partial))
		w.partial = nil
	}
}

// tailBuffer keeps the last 4 KiB written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(bytes.TrimSpace(t.b)) }
