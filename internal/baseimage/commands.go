package baseimage

import (
	"fmt"
	"strconv"
	"strings"
)

// Sector is the logical sector size of every disk made here.
const Sector = 512

// GPT partition type GUIDs.
const (
	typeESP     = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	typeRootX64 = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" // discoverable x86-64 root
)

// layout is where the partitions lie on the disk, in sectors.
type layout struct {
	TotalSectors int64
	ESPStart     int64
	ESPSectors   int64
	RootStart    int64
	RootSectors  int64
}

// diskLayout places a 256 MiB ESP at 1 MiB and the root partition after it,
// leaving the last MiB for the backup GPT. Everything is MiB-aligned.
func diskLayout(sizeMiB int) layout {
	const mib = 1 << 20 / Sector
	l := layout{
		TotalSectors: int64(sizeMiB) * mib,
		ESPStart:     mib,
		ESPSectors:   256 * mib,
	}
	l.RootStart = l.ESPStart + l.ESPSectors
	l.RootSectors = l.TotalSectors - l.RootStart - mib
	return l
}

// sfdiskScript is the partition table, fed to sfdisk on stdin.
func sfdiskScript(l layout, id ids) string {
	return fmt.Sprintf(`label: gpt
label-id: %s
unit: sectors
first-lba: 2048
start=%d, size=%d, type=%s, uuid=%s, name="ESP", attrs="LegacyBIOSBootable"
start=%d, size=%d, type=%s, uuid=%s, name="root"
`, strings.ToUpper(id.DiskGUID),
		l.ESPStart, l.ESPSectors, typeESP, strings.ToUpper(id.ESPGUID),
		l.RootStart, l.RootSectors, typeRootX64, strings.ToUpper(id.RootGUID))
}

// command is one program run by a build: a pure description, run by runner.
type command struct {
	Args  []string // Args[0] is the program
	Env   []string // added to the builder's environment
	Stdin string
	// Quiet marks programs that report errors but still exit 0 (debugfs):
	// stdout is dropped and any stderr line not starting with Quiet fails
	// the command.
	Quiet string
}

func (c command) String() string { return strings.Join(c.Args, " ") }

// mmdebstrapCommand installs the root tree into rootfs. sourceFiles are paths
// of apt sources files (the host's, filtered), overlay a directory copied over
// the tree before setupScript (a path inside the tree) runs in a chroot.
func mmdebstrapCommand(s Spec, rootfs string, sourceFiles []string, overlay, setupScript string) command {
	args := []string{
		"mmdebstrap",
		"--mode=root",
		"--format=directory",
		// Apt's and dpkg's output too: progressParser reads the stages
		// (download, unpack, configure) and counts packages from it.
		"--verbose",
		"--variant=" + s.Variant,
		"--arch=" + s.Arch,
		"--include=" + strings.Join(s.Packages, ","),
		// Smaller and faster: no manuals, documentation (but copyrights) or
		// translations. Packages installed later in builds follow the same rule.
		"--dpkgopt=path-exclude=/usr/share/man/*",
		"--dpkgopt=path-exclude=/usr/share/doc/*",
		"--dpkgopt=path-include=/usr/share/doc/*/copyright",
		"--dpkgopt=path-exclude=/usr/share/locale/*",
		"--dpkgopt=path-exclude=/usr/share/info/*",
		// Keep the package lists (without translations): the first
		// `apt-get update` in a build then only revalidates them, which under
		// TCG saves about a minute.
		`--aptopt=Acquire::Languages "none"`,
		"--skip=cleanup/apt/lists",
		"--customize-hook=sync-in " + overlay + " /",
		`--customize-hook=chroot "$1" /bin/sh ` + setupScript,
		s.Suite,
		rootfs,
	}
	args = append(args, sourceFiles...)
	return command{Args: args, Env: sourceDateEnv(s)}
}

func sourceDateEnv(s Spec) []string {
	return []string{"SOURCE_DATE_EPOCH=" + strconv.FormatInt(s.SourceDateEpoch, 10)}
}

// sfdiskCommand writes the partition table to disk.
func sfdiskCommand(disk string, l layout, id ids) command {
	return command{
		Args:  []string{"sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", disk},
		Stdin: sfdiskScript(l, id),
	}
}

// mkfsVfatCommand makes the FAT32 ESP in the file esp (already sized).
func mkfsVfatCommand(esp string, id ids) command {
	return command{Args: []string{"mkfs.vfat", "-F", "32", "-n", "ESP", "--invariant", "-i", id.ESPVolID, esp}}
}

func mtoolsEnv(s Spec) []string {
	return append(sourceDateEnv(s), "MTOOLS_SKIP_CHECK=1")
}

// mmdCommand creates directories (paths like ::/EFI) on the ESP image.
func mmdCommand(s Spec, esp string, dirs ...string) command {
	return command{Args: append([]string{"mmd", "-i", esp}, dirs...), Env: mtoolsEnv(s)}
}

// mcopyCommand copies a host file to an ESP path, keeping its mtime.
func mcopyCommand(s Spec, esp, src, dst string) command {
	return command{Args: []string{"mcopy", "-m", "-o", "-i", esp, src, dst}, Env: mtoolsEnv(s)}
}

// syslinuxCommand installs syslinux's boot sector and ldlinux.* into the ESP.
func syslinuxCommand(s Spec, esp string) command {
	return command{Args: []string{"syslinux", "--install", "--directory", "/syslinux", esp}, Env: mtoolsEnv(s)}
}

// mkfsExt4Command writes the root filesystem, populated from rootfs, in place
// at the root partition of disk. The size must be exactly the partition's or
// mkfs would overwrite the backup GPT.
func mkfsExt4Command(s Spec, disk, rootfs string, l layout, id ids) command {
	return command{
		Args: []string{
			"mkfs.ext4", "-q", "-F", "-L", "root", "-U", id.RootFSUUID,
			"-E", fmt.Sprintf("hash_seed=%s,offset=%d", id.HashSeed, l.RootStart*Sector),
			"-d", rootfs, disk, fmt.Sprintf("%dk", l.RootSectors*Sector/1024),
		},
		Env: fakeTimeEnv(s),
	}
}

func fakeTimeEnv(s Spec) []string {
	t := strconv.FormatInt(s.SourceDateEpoch, 10)
	return []string{"E2FSPROGS_FAKE_TIME=" + t, "SOURCE_DATE_EPOCH=" + t}
}

// debugfsCommand runs a debugfs script (see timestampScript) against the root
// filesystem inside disk.
func debugfsCommand(s Spec, disk, script string, l layout) command {
	return command{
		Args:  []string{"debugfs", "-w", "-f", script, fmt.Sprintf("%s?offset=%d", disk, l.RootStart*Sector)},
		Env:   fakeTimeEnv(s),
		Quiet: "debugfs",
	}
}

// timestampScript is a debugfs script setting the atime and ctime of every
// path to the epoch. mkfs.ext4 -d (e2fsprogs 1.47.0) copies both from the
// build host, where they cannot be set (ctime) or change on every read (atime).
func timestampScript(paths []string, epoch int64) (string, error) {
	var b strings.Builder
	for _, p := range paths {
		if strings.ContainsAny(p, "\"\n") { // backslashes pass through
			return "", fmt.Errorf("file name %q cannot be passed to debugfs: remove the package that ships it", p)
		}
		for _, f := range []string{"atime", "ctime"} {
			fmt.Fprintf(&b, "sif \"%s\" %s @%d\n", p, f, epoch)
		}
	}
	return b.String(), nil
}

// convertCommand converts the raw disk to qcow2. Builds use no compression:
// measured here on debian-12 (2 shared cores), -c took 46 s instead of 4 s
// for 262 MB instead of 697 MB, and the uncompressed output is deterministic.
func convertCommand(raw, qcow2 string, compress bool) command {
	args := []string{"qemu-img", "convert", "-f", "raw", "-O", "qcow2"}
	if compress {
		args = append(args, "-c")
	}
	return command{Args: append(args, raw, qcow2)}
}
