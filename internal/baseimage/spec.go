package baseimage

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Version is the version of this builder. Bump it whenever a change here alters
// the bytes of a built image: it is part of every image key, so bumping it
// invalidates cached images.
const Version = "5"

// DefaultSourceDateEpoch is used when neither Spec.SourceDateEpoch nor the
// SOURCE_DATE_EPOCH environment variable is set (2025-01-01T00:00:00Z).
const DefaultSourceDateEpoch = 1735689600

// Spec describes a base image. Two equal specs built from the same apt sources
// and the same archive content give byte-identical disks.
type Spec struct {
	// Name identifies the image to users, e.g. "debian-12". Required.
	Name string
	// Suite is the Debian suite, e.g. "bookworm". Required.
	Suite string
	// Arch is the Debian architecture. Only "amd64" is supported.
	Arch string
	// Variant is the mmdebstrap variant. Default "minbase".
	Variant string
	// Packages are installed on top of the variant, in addition to the
	// packages the image needs to boot (kernel, systemd, udev, dbus).
	Packages []string
	// DiskSizeMiB is the virtual size of the disk. Default 2048, minimum 1024.
	DiskSizeMiB int
	// SourceDateEpoch fixes all timestamps. Default: $SOURCE_DATE_EPOCH, else
	// DefaultSourceDateEpoch.
	SourceDateEpoch int64
	// Hostname of the guest. Default "goldsmith".
	Hostname string
}

// requiredPackages boot the image and reach the network; always installed.
var requiredPackages = []string{
	"linux-image-amd64", "systemd", "systemd-sysv", "udev", "dbus",
	"ca-certificates", "kmod", "util-linux",
	// sfdisk, to grow the root partition when a recipe asks for a bigger disk.
	"fdisk",
	// initramfs-tools compresses with zstd (its default) only when it is
	// installed, else with gzip, which the kernel unpacks more slowly.
	"zstd",
}

// Debian12 is the spec of the "debian-12" base image.
func Debian12() Spec {
	return Spec{
		Name:        "debian-12",
		Suite:       "bookworm",
		Arch:        "amd64",
		Packages:    append([]string(nil), requiredPackages...),
		DiskSizeMiB: 2048,
	}
}

// Lookup returns the spec of a named base image.
func Lookup(name string) (Spec, error) {
	switch name {
	case "debian-12":
		return Debian12(), nil
	}
	return Spec{}, fmt.Errorf("unknown base image %q: use debian-12 or the path of a qcow2 or raw disk", name)
}

// WithDefaults returns the spec with every unset field set to its default.
// SourceDateEpoch is read from the environment here, once.
func (s Spec) WithDefaults() Spec {
	if s.Variant == "" {
		s.Variant = "minbase"
	}
	if s.Arch == "" {
		s.Arch = "amd64"
	}
	if s.DiskSizeMiB == 0 {
		s.DiskSizeMiB = 2048
	}
	if s.Hostname == "" {
		s.Hostname = "goldsmith"
	}
	if s.SourceDateEpoch == 0 {
		s.SourceDateEpoch = DefaultSourceDateEpoch
		if v, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil && v > 0 {
			s.SourceDateEpoch = v
		}
	}
	s.Packages = mergePackages(requiredPackages, s.Packages)
	return s
}

var (
	packageRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+(:[a-z0-9]+)?$`)
	nameRe     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	hostnameRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// Validate reports the first problem with a spec that has its defaults set.
func (s Spec) Validate() error {
	switch {
	case !nameRe.MatchString(s.Name):
		return fmt.Errorf("base image name %q: use lower-case letters, digits, '.', '_' and '-'", s.Name)
	case !nameRe.MatchString(s.Suite):
		return fmt.Errorf("base image %s: suite %q is not a Debian suite name such as bookworm", s.Name, s.Suite)
	case s.Arch != "amd64":
		return fmt.Errorf("base image %s: architecture %q is not supported: use amd64", s.Name, s.Arch)
	case s.DiskSizeMiB < 1024:
		return fmt.Errorf("base image %s: disk size %d MiB is too small: use at least 1024", s.Name, s.DiskSizeMiB)
	case !hostnameRe.MatchString(s.Hostname):
		return fmt.Errorf("base image %s: hostname %q is not a valid host name", s.Name, s.Hostname)
	case s.SourceDateEpoch <= 0:
		return fmt.Errorf("base image %s: SOURCE_DATE_EPOCH must be positive", s.Name)
	}
	switch s.Variant {
	case "minbase", "required", "important", "standard", "apt", "essential", "debootstrap":
	default:
		return fmt.Errorf("base image %s: mmdebstrap variant %q is not supported: use minbase", s.Name, s.Variant)
	}
	for _, p := range s.Packages {
		if !packageRe.MatchString(p) {
			return fmt.Errorf("base image %s: %q is not a Debian package name", s.Name, p)
		}
	}
	return nil
}

// mergePackages returns the union of a and b, in first-seen order.
func mergePackages(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range append(append([]string(nil), a...), b...) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// Key is the content address of the image a spec gives from the given apt
// sources: a hex sha256 over everything that shapes the image.
func Key(s Spec, sources []SourceFile) string {
	in := struct {
		Version string
		Spec    Spec
		Sources []SourceFile
	}{Version, s, sources}
	b, err := json.Marshal(in)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ids are the identifiers a build would otherwise pick at random.
type ids struct {
	DiskGUID   string // GPT label-id
	ESPGUID    string // ESP PARTUUID
	RootGUID   string // root PARTUUID
	RootFSUUID string // ext4 UUID
	HashSeed   string // ext4 directory hash seed
	ESPVolID   string // FAT volume id, 8 hex digits
}

// deriveIDs derives every identifier of an image from its key.
func deriveIDs(key string) ids {
	return ids{
		DiskGUID:   derivedUUID(key, "disk"),
		ESPGUID:    derivedUUID(key, "esp"),
		RootGUID:   derivedUUID(key, "root"),
		RootFSUUID: derivedUUID(key, "rootfs"),
		HashSeed:   derivedUUID(key, "hash-seed"),
		ESPVolID:   derivedHex(key, "esp-volume-id")[:8],
	}
}

func derivedHex(key, purpose string) string {
	sum := sha256.Sum256([]byte("goldsmith/baseimage\x00" + purpose + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// derivedUUID returns a version-4-shaped UUID derived from key and purpose.
func derivedUUID(key, purpose string) string {
	sum := sha256.Sum256([]byte("goldsmith/baseimage\x00" + purpose + "\x00" + key))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return strings.Join([]string{h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]}, "-")
}

// errNotRoot is returned when the builder does not run as root.
var errNotRoot = errors.New("building a base image needs root (mmdebstrap --mode=root and mkfs.ext4 -d keep file owners): run as root, or import a prebuilt qcow2 instead")
