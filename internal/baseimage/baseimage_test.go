package baseimage

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSpecDefaultsAndValidate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	s := Debian12().WithDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.SourceDateEpoch != 1700000000 || s.Variant != "minbase" || s.Hostname != "goldsmith" {
		t.Errorf("defaults: %+v", s)
	}
	for name, mut := range map[string]func(*Spec){
		"arch":    func(s *Spec) { s.Arch = "arm64" },
		"disk":    func(s *Spec) { s.DiskSizeMiB = 100 },
		"package": func(s *Spec) { s.Packages = append(s.Packages, "bad pkg") },
		"variant": func(s *Spec) { s.Variant = "minimal" },
		"name":    func(s *Spec) { s.Name = "Debian 12" },
	} {
		bad := s
		bad.Packages = append([]string(nil), s.Packages...)
		mut(&bad)
		if err := bad.Validate(); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestKeyChangesWithEveryInput(t *testing.T) {
	base := Debian12().WithDefaults()
	src := []SourceFile{{Name: "a.sources", Content: "x"}}
	k := Key(base, src)
	if k != Key(base, src) {
		t.Fatal("key is not stable")
	}
	variants := map[string]func() (Spec, []SourceFile){
		"package": func() (Spec, []SourceFile) {
			s := base
			s.Packages = append(append([]string(nil), s.Packages...), "curl")
			return s, src
		},
		"disk":    func() (Spec, []SourceFile) { s := base; s.DiskSizeMiB++; return s, src },
		"epoch":   func() (Spec, []SourceFile) { s := base; s.SourceDateEpoch++; return s, src },
		"suite":   func() (Spec, []SourceFile) { s := base; s.Suite = "trixie"; return s, src },
		"sources": func() (Spec, []SourceFile) { return base, []SourceFile{{Name: "a.sources", Content: "y"}} },
	}
	for name, v := range variants {
		if s, sf := v(); Key(s, sf) == k {
			t.Errorf("%s does not change the key", name)
		}
	}
}

func TestDerivedIDs(t *testing.T) {
	a, b := deriveIDs("k1"), deriveIDs("k2")
	if a != deriveIDs("k1") {
		t.Fatal("ids are not stable")
	}
	if a.DiskGUID == b.DiskGUID || a.RootGUID == a.ESPGUID {
		t.Fatal("ids collide")
	}
	if len(a.ESPVolID) != 8 || len(a.RootGUID) != 36 || a.RootGUID[14] != '4' {
		t.Errorf("bad shapes: %+v", a)
	}
}

func TestHostSources(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) {
		p = filepath.Join(root, "etc/apt", p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sources.list", "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://m/debian bookworm main contrib\ndeb-src http://m/debian bookworm main\ndeb http://m/debian trixie main\n")
	write("sources.list.d/debian.sources", `Types: deb deb-src
# mirror comment
URIs: http://deb.example/debian
Suites: bookworm bookworm-updates trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.example/debian-security
Suites: bookworm-security
Components: main
Enabled: no

Types: deb
URIs: https://deb.nodesource.com/node_20.x
Suites: nodistro
Components: main
`)
	write("sources.list.d/other.list.disabled", "deb http://x bookworm main\n")
	got, err := HostSources(root, "bookworm")
	if err != nil {
		t.Fatal(err)
	}
	want := []SourceFile{
		{Name: "sources.list", Content: "deb [arch=amd64 signed-by=/k.gpg] http://m/debian bookworm main contrib\n"},
		{Name: "debian.sources", Content: "Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if _, err := HostSources(root, "bullseye"); err == nil || !strings.Contains(err.Error(), "add one") {
		t.Errorf("missing suite: %v", err)
	}
}

func TestDiskLayout(t *testing.T) {
	l := diskLayout(2048)
	want := layout{TotalSectors: 4194304, ESPStart: 2048, ESPSectors: 524288, RootStart: 526336, RootSectors: 3665920}
	if l != want {
		t.Fatalf("got %+v, want %+v", l, want)
	}
	// The backup GPT needs 33 sectors after the root partition.
	if l.RootStart+l.RootSectors+33 > l.TotalSectors {
		t.Error("root overlaps the backup GPT")
	}
}

func TestCommands(t *testing.T) {
	s := Debian12().WithDefaults()
	s.SourceDateEpoch = 1700000000
	id := ids{DiskGUID: "d", ESPGUID: "e", RootGUID: "r", RootFSUUID: "u", HashSeed: "h", ESPVolID: "1234abcd"}
	l := diskLayout(2048)
	tests := []struct {
		name string
		got  command
		want string
		env  string
	}{
		{"mmdebstrap", mmdebstrapCommand(s, "/w/rootfs", []string{"/w/00-debian.sources"}, "/w/overlay", "/tmp/s.sh"),
			"mmdebstrap --mode=root --format=directory --verbose --variant=minbase --arch=amd64 --include=linux-image-amd64,systemd,systemd-sysv,udev,dbus,ca-certificates,kmod,util-linux,fdisk,zstd " +
				"--dpkgopt=path-exclude=/usr/share/man/* --dpkgopt=path-exclude=/usr/share/doc/* --dpkgopt=path-include=/usr/share/doc/*/copyright " +
				"--dpkgopt=path-exclude=/usr/share/locale/* --dpkgopt=path-exclude=/usr/share/info/* " +
				`--aptopt=Acquire::Languages "none" --skip=cleanup/apt/lists ` +
				`--customize-hook=sync-in /w/overlay / --customize-hook=chroot "$1" /bin/sh /tmp/s.sh bookworm /w/rootfs /w/00-debian.sources`,
			"SOURCE_DATE_EPOCH=1700000000"},
		{"sfdisk", sfdiskCommand("/w/disk.raw", l, id), "sfdisk --quiet --no-reread --no-tell-kernel /w/disk.raw", ""},
		{"mkfs.vfat", mkfsVfatCommand("/w/esp.img", id), "mkfs.vfat -F 32 -n ESP --invariant -i 1234abcd /w/esp.img", ""},
		{"mcopy", mcopyCommand(s, "/w/esp.img", "/w/esp/vmlinuz", "::/vmlinuz"), "mcopy -m -o -i /w/esp.img /w/esp/vmlinuz ::/vmlinuz", "SOURCE_DATE_EPOCH=1700000000 MTOOLS_SKIP_CHECK=1"},
		{"syslinux", syslinuxCommand(s, "/w/esp.img"), "syslinux --install --directory /syslinux /w/esp.img", "SOURCE_DATE_EPOCH=1700000000 MTOOLS_SKIP_CHECK=1"},
		{"mkfs.ext4", mkfsExt4Command(s, "/w/disk.raw", "/w/rootfs", l, id),
			"mkfs.ext4 -q -F -L root -U u -E hash_seed=h,offset=269484032 -d /w/rootfs /w/disk.raw 1832960k",
			"E2FSPROGS_FAKE_TIME=1700000000 SOURCE_DATE_EPOCH=1700000000"},
		{"debugfs", debugfsCommand(s, "/w/disk.raw", "/w/t", l), "debugfs -w -f /w/t /w/disk.raw?offset=269484032", "E2FSPROGS_FAKE_TIME=1700000000 SOURCE_DATE_EPOCH=1700000000"},
		{"convert", convertCommand("a.raw", "a.qcow2", false), "qemu-img convert -f raw -O qcow2 a.raw a.qcow2", ""},
		{"convert -c", convertCommand("a.raw", "a.qcow2", true), "qemu-img convert -f raw -O qcow2 -c a.raw a.qcow2", ""},
	}
	for _, tt := range tests {
		if got := tt.got.String(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
		if got := strings.Join(tt.got.Env, " "); got != tt.env {
			t.Errorf("%s env: got %q, want %q", tt.name, got, tt.env)
		}
	}
	wantScript := `label: gpt
label-id: D
unit: sectors
first-lba: 2048
start=2048, size=524288, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=E, name="ESP", attrs="LegacyBIOSBootable"
start=526336, size=3665920, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=R, name="root"
`
	if got := sfdiskCommand("x", l, id).Stdin; got != wantScript {
		t.Errorf("sfdisk script:\n%s", got)
	}
}

func TestTimestampScript(t *testing.T) {
	got, err := timestampScript([]string{"/", "/a b", `/x\x2dy`}, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := "sif \"/\" atime @5\nsif \"/\" ctime @5\nsif \"/a b\" atime @5\nsif \"/a b\" ctime @5\n" +
		"sif \"/x\\x2dy\" atime @5\nsif \"/x\\x2dy\" ctime @5\n"
	if got != want {
		t.Errorf("got %q", got)
	}
	if _, err := timestampScript([]string{`/a"b`}, 5); err == nil {
		t.Error("want an error for a quote in a path")
	}
}

func TestBootFilesUseRootPartUUID(t *testing.T) {
	id := deriveIDs("k")
	for _, f := range espFiles(id) {
		if f.Path != "/loader/loader.conf" && !strings.Contains(f.Content, "root=PARTUUID="+id.RootGUID) {
			t.Errorf("%s does not boot the root partition:\n%s", f.Path, f.Content)
		}
		if strings.Contains(f.Content, "entries") || strings.Contains(f.Path, "syslinux") && !strings.Contains(f.Content, "console=ttyS0") {
			t.Errorf("%s: no serial console", f.Path)
		}
	}
	var unit string
	for _, f := range rootFiles(Debian12().WithDefaults(), id) {
		if f.Path == "/etc/systemd/system/goldsmith-agent.service" {
			unit = f.Content
		}
	}
	if !strings.Contains(unit, "ConditionPathExists=/dev/disk/by-label/GSAGENT") || !strings.Contains(unit, "goldsmith agent") {
		t.Errorf("agent unit:\n%s", unit)
	}
}

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{`/a/b`: "/a/b", `/a\040b`: "/a b", `/a\134`: `/a\`, `/x\0`: `/x\0`} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
	if err := detachMounts(t.TempDir()); err != nil {
		t.Errorf("no mounts: %v", err)
	}
}

// TestCacheDirAbsolute: images are backing files that VM disks and step
// cache entries record by path, so a relative cache folder becomes
// absolute.
func TestCacheDirAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	cc, err := (&Cache{Dir: "base"}).withDefaults()
	if err != nil || !filepath.IsAbs(cc.Dir) {
		t.Fatalf("Dir = %q (%v), want an absolute path", cc.Dir, err)
	}
}
