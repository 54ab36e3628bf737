// Package sbom turns an image's installed-package list into a CycloneDX
// software bill of materials, and compares package lists between images.
package sbom

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// FileName is the SBOM's name among a build's outputs.
const FileName = "sbom.cdx.json"

// Package is one installed package.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Arch    string `json:"arch"`
	Source  string `json:"source,omitempty"`
}

// DpkgQueryFormat is the dpkg-query format ParseDpkg reads:
// dpkg-query -W -f "$DpkgQueryFormat".
const DpkgQueryFormat = `${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\n`

// DpkgQueryCommand lists installed packages in the format ParseDpkg reads.
var DpkgQueryCommand = []string{"dpkg-query", "-W", "-f", DpkgQueryFormat}

// ParseDpkg reads dpkg-query output, keeping installed packages only,
// sorted by name.
func ParseDpkg(r io.Reader) ([]Package, error) {
	var out []Package
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 4 {
			return nil, fmt.Errorf("dpkg-query output line %d has %d fields, want 5: %q", n, len(f), line)
		}
		if !strings.HasPrefix(f[0], "ii") {
			continue
		}
		p := Package{Name: f[1], Version: f[2], Arch: f[3]}
		if len(f) > 4 && f[4] != f[1] {
			p.Source = f[4]
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Subject names what the SBOM describes.
type Subject struct {
	Name    string
	Version string
	Distro  string // e.g. "debian", for package URLs
}

// BOM builds a CycloneDX document for the packages.
func BOM(s Subject, pkgs []Package, created time.Time) *cdx.BOM {
	bom := cdx.NewBOM()
	bom.SerialNumber = ""
	bom.Metadata = &cdx.Metadata{
		Timestamp: created.UTC().Format(time.RFC3339),
		Tools:     &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "goldsmith"}}},
		Component: &cdx.Component{
			BOMRef:  "image:" + s.Name + "@" + s.Version,
			Type:    cdx.ComponentTypeOS,
			Name:    s.Name,
			Version: s.Version,
		},
	}
	distro := s.Distro
	if distro == "" {
		distro = "debian"
	}
	comps := make([]cdx.Component, 0, len(pkgs))
	for _, p := range pkgs {
		purl := fmt.Sprintf("pkg:deb/%s/%s@%s?arch=%s", distro, p.Name, escapeVersion(p.Version), p.Arch)
		c := cdx.Component{BOMRef: purl, Type: cdx.ComponentTypeLibrary, Name: p.Name, Version: p.Version, PackageURL: purl}
		if p.Source != "" {
			c.Properties = &[]cdx.Property{{Name: "deb:source", Value: p.Source}}
		}
		comps = append(comps, c)
	}
	bom.Components = &comps
	return bom
}

// Decode reads the packages of a CycloneDX JSON document that BOM made,
// in its order (by name).
func Decode(r io.Reader) ([]Package, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(r, cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, fmt.Errorf("read the SBOM: %w", err)
	}
	if bom.Components == nil {
		return []Package{}, nil
	}
	out := make([]Package, 0, len(*bom.Components))
	for _, c := range *bom.Components {
		p := Package{Name: c.Name, Version: c.Version}
		if _, q, ok := strings.Cut(c.PackageURL, "?"); ok {
			for kv := range strings.SplitSeq(q, "&") {
				if v, ok := strings.CutPrefix(kv, "arch="); ok {
					p.Arch = v
				}
			}
		}
		if c.Properties != nil {
			for _, prop := range *c.Properties {
				if prop.Name == "deb:source" {
					p.Source = prop.Value
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}

func escapeVersion(v string) string {
	return strings.NewReplacer(":", "%3A", "+", "%2B").Replace(v)
}

// Encode writes the BOM as CycloneDX JSON.
func Encode(w io.Writer, bom *cdx.BOM) error {
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	return enc.Encode(bom)
}

// Change is one difference between two package lists.
type Change struct {
	Name string `json:"name"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// Diff lists packages added, removed and changed from a to b.
func Diff(a, b []Package) (added, removed, changed []Change) {
	am, bm := map[string]string{}, map[string]string{}
	for _, p := range a {
		am[p.Name] = p.Version
	}
	for _, p := range b {
		bm[p.Name] = p.Version
		old, ok := am[p.Name]
		switch {
		case !ok:
			added = append(added, Change{Name: p.Name, New: p.Version})
		case old != p.Version:
			changed = append(changed, Change{Name: p.Name, Old: old, New: p.Version})
		}
	}
	for _, p := range a {
		if _, ok := bm[p.Name]; !ok {
			removed = append(removed, Change{Name: p.Name, Old: p.Version})
		}
	}
	return added, removed, changed
}
