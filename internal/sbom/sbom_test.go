package sbom_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/sbom"
)

const dpkgOut = "ii \tbash\t5.2.15-2+b7\tamd64\tbash\n" +
	"rc \told-thing\t1.0\tamd64\told-thing\n" +
	"ii \tlibc6\t2.36-9+deb12u4\tamd64\tglibc\n" +
	"ii \tnginx-light\t1.22.1-9\tamd64\tnginx\n"

func TestParseAndBOM(t *testing.T) {
	t.Parallel()
	pkgs, err := sbom.ParseDpkg(strings.NewReader(dpkgOut))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 3 || pkgs[1].Name != "libc6" || pkgs[1].Source != "glibc" || pkgs[0].Source != "" {
		t.Fatalf("parsed %+v", pkgs)
	}
	var buf bytes.Buffer
	if err := sbom.Encode(&buf, sbom.BOM(sbom.Subject{Name: "web", Version: "1.0.0/1"}, pkgs, time.Unix(0, 0))); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		BOMFormat  string `json:"bomFormat"`
		Components []struct {
			Name, Version, Purl string
		} `json:"components"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.BOMFormat != "CycloneDX" || len(doc.Components) != 3 {
		t.Fatalf("bom %s", buf.String())
	}
	if got := doc.Components[0].Purl; got != "pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64" {
		t.Errorf("purl %s", got)
	}
	back, err := sbom.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil || !reflect.DeepEqual(back, pkgs) {
		t.Errorf("decoded %+v, %v; want %+v", back, err, pkgs)
	}
	if _, err := sbom.Decode(strings.NewReader("{")); err == nil {
		t.Error("a damaged SBOM decoded")
	}
	if _, err := sbom.ParseDpkg(strings.NewReader("garbage\n")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	a := []sbom.Package{{Name: "a", Version: "1"}, {Name: "b", Version: "1"}}
	b := []sbom.Package{{Name: "b", Version: "2"}, {Name: "c", Version: "1"}}
	added, removed, changed := sbom.Diff(a, b)
	if len(added) != 1 || added[0].Name != "c" || len(removed) != 1 || removed[0].Name != "a" || len(changed) != 1 || changed[0].New != "2" {
		t.Fatalf("added %v removed %v changed %v", added, removed, changed)
	}
}
