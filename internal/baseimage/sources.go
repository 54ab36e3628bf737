package baseimage

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// SourceFile is one apt sources file handed to mmdebstrap: either one-line
// format (Name ends in .list) or deb822 (Name ends in .sources).
type SourceFile struct {
	Name    string
	Content string
}

// HostSources reads the apt sources configured on the host under root
// ("/" normally): root/etc/apt/sources.list and root/etc/apt/sources.list.d/
// *.list and *.sources, like apt does, and keeps only the binary ("deb")
// entries for suite and its companions (suite-updates, suite-security,
// suite/updates). Comments are dropped so that editing one does not change
// image keys.
func HostSources(root, suite string) ([]SourceFile, error) {
	dir := filepath.Join(root, "etc/apt")
	paths := []string{filepath.Join(dir, "sources.list")}
	entries, err := os.ReadDir(filepath.Join(dir, "sources.list.d"))
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read the host's apt sources: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".list") || strings.HasSuffix(n, ".sources") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		paths = append(paths, filepath.Join(dir, "sources.list.d", n))
	}
	var out []SourceFile
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the host's apt sources: %w", err)
		}
		var kept string
		if strings.HasSuffix(p, ".sources") {
			kept = filterDeb822(string(b), suite)
		} else {
			kept = filterOneLine(string(b), suite)
		}
		if kept != "" {
			out = append(out, SourceFile{Name: filepath.Base(p), Content: kept})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no apt source for suite %s in %s/sources.list or %s/sources.list.d: add one (for example \"deb http://deb.debian.org/debian %s main\") so base images come from your mirror", suite, dir, dir, suite)
	}
	return out, nil
}

// suiteMatches reports whether an apt suite belongs to the wanted release.
func suiteMatches(s, want string) bool {
	return s == want || strings.HasPrefix(s, want+"-") || strings.HasPrefix(s, want+"/")
}

// filterOneLine keeps the "deb" lines of a one-line-format file for suite.
func filterOneLine(content, suite string) string {
	var b strings.Builder
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "deb" {
			continue
		}
		rest := f[1:]
		if strings.HasPrefix(rest[0], "[") { // options: [ a=b c=d ]
			for len(rest) > 0 && !strings.HasSuffix(rest[0], "]") {
				rest = rest[1:]
			}
			if len(rest) > 0 {
				rest = rest[1:]
			}
		}
		if len(rest) >= 2 && suiteMatches(rest[1], suite) {
			b.WriteString(strings.Join(f, " ") + "\n")
		}
	}
	return b.String()
}

// field is one deb822 field; Value keeps continuation lines.
type field struct{ Key, Value string }

// filterDeb822 keeps the enabled "deb" stanzas of a deb822 file that name
// suite, with their Suites field narrowed to the matching suites.
func filterDeb822(content, suite string) string {
	var out []string
	for _, stanza := range parseDeb822(content) {
		get := func(k string) (string, int) {
			for i, f := range stanza {
				if strings.EqualFold(f.Key, k) {
					return strings.TrimSpace(f.Value), i
				}
			}
			return "", -1
		}
		if v, _ := get("Enabled"); strings.EqualFold(v, "no") {
			continue
		}
		types, _ := get("Types")
		if !contains(strings.Fields(types), "deb") {
			continue
		}
		suites, idx := get("Suites")
		var keep []string
		for _, s := range strings.Fields(suites) {
			if suiteMatches(s, suite) {
				keep = append(keep, s)
			}
		}
		if len(keep) == 0 {
			continue
		}
		stanza[idx].Value = " " + strings.Join(keep, " ")
		var b strings.Builder
		for _, f := range stanza {
			if strings.EqualFold(f.Key, "Types") {
				f.Value = " deb"
			}
			b.WriteString(f.Key + ":" + f.Value + "\n")
		}
		out = append(out, b.String())
	}
	return strings.Join(out, "\n")
}

// parseDeb822 splits deb822 text into stanzas of fields, dropping comments.
func parseDeb822(content string) [][]field {
	var stanzas [][]field
	var cur []field
	flush := func() {
		if len(cur) > 0 {
			stanzas = append(stanzas, cur)
		}
		cur = nil
	}
	for _, line := range strings.Split(content, "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
			if len(cur) > 0 {
				cur[len(cur)-1].Value += "\n" + line
			}
		default:
			k, v, ok := strings.Cut(line, ":")
			if ok {
				cur = append(cur, field{Key: strings.TrimSpace(k), Value: " " + strings.TrimSpace(v)})
			}
		}
	}
	flush()
	return stanzas
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
