package component

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a document, located precisely enough
// for an editor to jump to it.
type Problem struct {
	File string // the document as the user named it
	Pos  Pos    // 0:0 when unknown
	Path string // e.g. phases[0].steps[2].inputs.commands
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteByte(':')
	}
	if p.Pos.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", p.Pos.Line, p.Pos.Col)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found in one or more documents. It is an error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by file, then position, then path.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		return a.Path < b.Path
	})
}

// Reporter collects problems for one file.
type Reporter struct {
	File     string
	Problems Problems
}

// Add records a problem at pos and path.
func (r *Reporter) Add(pos Pos, path, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{File: r.File, Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Err returns the problems as an error, or nil.
func (r *Reporter) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	r.Problems.Sort()
	return r.Problems
}

// JoinPath appends a key or index to a path.
func JoinPath(path string, elem any) string {
	switch e := elem.(type) {
	case int:
		return fmt.Sprintf("%s[%d]", path, e)
	case string:
		if path == "" {
			return e
		}
		return path + "." + e
	}
	return path
}
