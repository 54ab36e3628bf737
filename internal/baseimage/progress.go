package baseimage

import (
	"regexp"
	"strconv"
	"strings"
)

// Stage is a stage of a base image build, in the order they run (a stage
// can come again: mmdebstrap installs the essential packages first, then
// the rest inside the new tree, each time downloading, unpacking and
// configuring).
type Stage string

// The stages of a build.
const (
	StageResolve   Stage = "resolving packages"
	StageDownload  Stage = "downloading"
	StageUnpack    Stage = "unpacking"
	StageConfigure Stage = "configuring"
	StageCustomize Stage = "customizing" // Goldsmith's files and setup script
	StageAssemble  Stage = "assembling the disk"
	StageDone      Stage = "done"
)

// Progress is where a base image build is.
type Progress struct {
	Stage Stage
	// Done of Total packages (of the current install: the essential set,
	// then the rest); Total 0 when not known yet.
	Done, Total int
	// Item is what is being worked on: a package, a step.
	Item string
}

// progressParser turns mmdebstrap's --verbose output (its own "I:" lines
// and the apt and dpkg output it passes on), line by line, into progress.
// It is pure: feed it lines, read what changed.
type progressParser struct {
	cur   Progress
	total int // packages of the current install
	// counts of the current install, kept apart so a stage that comes
	// back (unpacking after configuring, in apt's interleaved order)
	// shows its own count
	got, unpacked, configured int
}

var (
	newlyInstalledRE = regexp.MustCompile(`^\d+ upgraded, (\d+) newly installed`)
	getRE            = regexp.MustCompile(`^Get:(\d+) \S+ \S+ \S+ (\S+) \S+ \S+ \[`)
	dpkgRE           = regexp.MustCompile(`^(Unpacking|Setting up) ([^ :]+)`)
)

// line reads one output line and returns the progress and whether it
// changed.
func (p *progressParser) line(l string) (Progress, bool) {
	l = strings.TrimSpace(l)
	before := p.cur
	switch {
	case strings.HasPrefix(l, "I: running apt-get update"):
		p.cur = Progress{Stage: StageResolve, Item: "apt-get update"}
	case strings.HasPrefix(l, "I: downloading packages"):
		p.cur = Progress{Stage: StageResolve, Item: "the essential packages"}
	case strings.HasPrefix(l, "I: extracting archives"):
		// One tar per package, nothing printed: no count.
		p.cur = Progress{Stage: StageUnpack, Item: "extracting the essential packages"}
	case strings.HasPrefix(l, "I: installing essential packages"):
		p.unpacked, p.configured = 0, 0
		p.cur = Progress{Stage: StageUnpack, Total: p.total, Item: "the essential packages"}
	case strings.HasPrefix(l, "I: installing remaining packages"):
		p.cur = Progress{Stage: StageResolve, Item: "the remaining packages"}
	case strings.HasPrefix(l, "I: running special hook"), strings.HasPrefix(l, "I: running --customize-hook"),
		strings.HasPrefix(l, "I: running --chrooted-customize-hook"):
		p.cur = Progress{Stage: StageCustomize, Item: "goldsmith's files and setup"}
	case strings.HasPrefix(l, "I: success in"):
		p.cur = Progress{Stage: StageDone}
	default:
		if m := newlyInstalledRE.FindStringSubmatch(l); m != nil {
			p.total, _ = strconv.Atoi(m[1])
			p.got, p.unpacked, p.configured = 0, 0, 0
			p.cur = Progress{Stage: StageDownload, Total: p.total}
		} else if m := getRE.FindStringSubmatch(l); m != nil && p.cur.Stage != StageResolve {
			// (Get lines while resolving are package lists.)
			p.got++
			p.cur = Progress{Stage: StageDownload, Done: p.got, Total: p.total, Item: m[2]}
		} else if m := dpkgRE.FindStringSubmatch(l); m != nil {
			st, n := StageUnpack, &p.unpacked
			if m[1] == "Setting up" {
				st, n = StageConfigure, &p.configured
			}
			*n++
			p.cur = Progress{Stage: st, Done: *n, Total: p.total, Item: m[2]}
		}
	}
	return p.cur, p.cur != before
}
