package baseimage

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestProgressParserLines(t *testing.T) {
	// Lines as mmdebstrap 1.3.5 --verbose prints them (testdata has a
	// whole run), each fed after the ones before it.
	cases := []struct {
		line    string
		want    Progress
		changed bool
	}{
		{"I: chroot architecture amd64 is equal to the host's architecture", Progress{}, false},
		{"I: running apt-get update...", Progress{Stage: StageResolve, Item: "apt-get update"}, true},
		{"Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]", Progress{Stage: StageResolve, Item: "apt-get update"}, false},
		{"I: downloading packages with apt...", Progress{Stage: StageResolve, Item: "the essential packages"}, true},
		{"The following NEW packages will be installed:", Progress{Stage: StageResolve, Item: "the essential packages"}, false},
		{"0 upgraded, 69 newly installed, 0 to remove and 0 not upgraded.", Progress{Stage: StageDownload, Total: 69}, true},
		{"Get:1 http://deb.debian.org/debian bookworm/main amd64 gcc-12-base amd64 12.2.0-14+deb12u1 [37.6 kB]",
			Progress{Stage: StageDownload, Done: 1, Total: 69, Item: "gcc-12-base"}, true},
		{"Get:2 http://security.debian.org/debian-security bookworm-security/main amd64 liblzma5 amd64 5.4.1-1+deb12u2 [206 kB]",
			Progress{Stage: StageDownload, Done: 2, Total: 69, Item: "liblzma5"}, true},
		{"/usr/bin/dpkg --status-fd 11 --no-triggers --unpack --auto-deconfigure /tmp/r/var/cache/apt/archives/bash_5.2.15-2+b13_amd64.deb ",
			Progress{Stage: StageDownload, Done: 2, Total: 69, Item: "liblzma5"}, false},
		{"I: extracting archives...", Progress{Stage: StageUnpack, Item: "extracting the essential packages"}, true},
		{"I: installing essential packages...", Progress{Stage: StageUnpack, Total: 69, Item: "the essential packages"}, true},
		{"Preparing to unpack .../gcc-12-base_12.2.0-14+deb12u1_amd64.deb ...", Progress{Stage: StageUnpack, Total: 69, Item: "the essential packages"}, false},
		{"Unpacking gcc-12-base:amd64 (12.2.0-14+deb12u1) ...", Progress{Stage: StageUnpack, Done: 1, Total: 69, Item: "gcc-12-base"}, true},
		{"Setting up gcc-12-base:amd64 (12.2.0-14+deb12u1) ...", Progress{Stage: StageConfigure, Done: 1, Total: 69, Item: "gcc-12-base"}, true},
		{"I: installing remaining packages inside the chroot...", Progress{Stage: StageResolve, Item: "the remaining packages"}, true},
		{"0 upgraded, 28 newly installed, 0 to remove and 0 not upgraded.", Progress{Stage: StageDownload, Total: 28}, true},
		{"Unpacking e2fsprogs (1.47.0-2+b2) ...", Progress{Stage: StageUnpack, Done: 1, Total: 28, Item: "e2fsprogs"}, true},
		{"I: running special hook: sync-in /w/overlay /", Progress{Stage: StageCustomize, Item: "goldsmith's files and setup"}, true},
		{`I: running --customize-hook in shell: sh -c 'chroot "$1" /bin/sh /tmp/goldsmith-setup.sh' exec /tmp/r`,
			Progress{Stage: StageCustomize, Item: "goldsmith's files and setup"}, false},
		{"I: cleaning package lists and apt cache...", Progress{Stage: StageCustomize, Item: "goldsmith's files and setup"}, false},
		{"I: success in 427.7771 seconds", Progress{Stage: StageDone}, true},
	}
	var p progressParser
	for _, tc := range cases {
		got, changed := p.line(tc.line)
		if got != tc.want || changed != tc.changed {
			t.Errorf("after %q:\n got %+v (changed %t)\nwant %+v (changed %t)", tc.line, got, changed, tc.want, tc.changed)
		}
	}
}

// TestProgressParserRun feeds a whole captured mmdebstrap run (minbase
// with one extra package: 69 essential packages, then 28 more installed
// inside the tree) and checks the stages and the counts they reach.
func TestProgressParserRun(t *testing.T) {
	data, err := os.ReadFile("testdata/mmdebstrap-verbose.log")
	if err != nil {
		t.Fatal(err)
	}
	var p progressParser
	var stages []Stage
	reached := map[string]int{}
	for _, l := range strings.Split(string(data), "\n") {
		got, changed := p.line(l)
		if !changed {
			continue
		}
		if !slices.Contains(stages, got.Stage) {
			stages = append(stages, got.Stage)
		}
		k := fmt.Sprintf("%s of %d", got.Stage, got.Total)
		reached[k] = max(reached[k], got.Done)
	}
	if want := []Stage{StageResolve, StageDownload, StageUnpack, StageConfigure, StageDone}; !slices.Equal(stages, want) {
		t.Errorf("stages %q, want %q", stages, want)
	}
	for k, want := range map[string]int{
		"downloading of 69": 69, "unpacking of 69": 69, "configuring of 69": 69,
		"downloading of 28": 28, "unpacking of 28": 28, "configuring of 28": 28,
	} {
		if reached[k] != want {
			t.Errorf("%s reached %d, want %d (all: %v)", k, reached[k], want, reached)
		}
	}
}
