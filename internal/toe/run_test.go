package toe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata")

// TestRuns runs every testdata/runs/*.txtar archive. An archive holds:
//
//	args           optional lines: "phases a,b", "param name=value", "error <substring>",
//	               "docs a.yaml,b.yaml" (default: every top-level .yaml file)
//	*.yaml         the documents, run in name order (other files are copied to the run's folder)
//	want/console   the console output, normalised
//	want/detailedoutput.json  the report, normalised
//
// Documents see the parameter TestDir (a temp folder holding the archive's
// files) when they declare it. -update rewrites the want/ files.
func TestRuns(t *testing.T) {
	files, _ := filepath.Glob("testdata/runs/*.txtar")
	if len(files) == 0 {
		t.Fatal("no test archives")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runArchive(t, file)
		})
	}
}

var (
	durationRe = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m)\b`)
	uuidRe     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

func normalise(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "$DIR")
	s = durationRe.ReplaceAllString(s, "<dur>")
	s = uuidRe.ReplaceAllString(s, "<uuid>")
	return s
}

func fixedClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func runArchive(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var docs []string
	var args []string
	for _, f := range ar.Files {
		switch {
		case f.Name == "args":
			args = strings.Split(strings.TrimSpace(string(f.Data)), "\n")
		case strings.HasPrefix(f.Name, "want/"):
		default:
			p := filepath.Join(dir, f.Name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(f.Name, ".yaml") && !strings.Contains(f.Name, "/") {
				docs = append(docs, f.Name)
			}
		}
	}
	opts := toe.RunOptions{ExecutionID: "test", LogDir: filepath.Join(dir, "logs"), WorkDir: dir, Now: fixedClock,
		Parameters: map[string]string{}}
	wantErr := ""
	for _, a := range args {
		k, v, _ := strings.Cut(a, " ")
		switch k {
		case "phases":
			opts.Phases = strings.Split(v, ",")
		case "param":
			n, val, _ := strings.Cut(v, "=")
			opts.Parameters[n] = val
		case "error":
			wantErr = v
		case "docs":
			docs = strings.Split(v, ",")
		case "":
		default:
			t.Fatalf("unknown args line %q", a)
		}
	}
	var inputs []toe.Input
	for _, name := range docs {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		doc, err := component.Load(name, data, action.Set{})
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		in := toe.Input{Doc: doc, Location: filepath.Join(dir, name)}
		for _, p := range doc.Parameters {
			if p.Name == "TestDir" {
				in.Parameters = map[string]string{"TestDir": dir}
			}
		}
		inputs = append(inputs, in)
	}
	var con bytes.Buffer
	opts.Console = &con
	res, err := toe.Run(context.Background(), inputs, opts)
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("run: %v\nconsole:\n%s", err, con.String())
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Fatalf("run error = %v, want one containing %q\nconsole:\n%s", err, wantErr, con.String())
	}
	got := map[string]string{"want/console": normalise(con.String(), dir)}
	if res != nil {
		b, _ := json.MarshalIndent(res.Report, "", "  ")
		got["want/detailedoutput.json"] = normalise(string(b), dir) + "\n"
		// The report on disk is the one returned.
		disk, err := os.ReadFile(filepath.Join(res.RunDir, toe.DetailedOutputFile))
		if err != nil {
			t.Fatalf("detailedoutput.json not written: %v", err)
		}
		var a, b2 any
		json.Unmarshal(disk, &a)
		json.Unmarshal(b, &b2)
		if !jsonEqual(a, b2) {
			t.Errorf("detailedoutput.json on disk differs from the returned report")
		}
		for _, name := range []string{toe.ConsoleLogFile, toe.ApplicationLogFile, toe.DocumentFile, toe.ChainingFile} {
			if _, err := os.Stat(filepath.Join(res.RunDir, name)); err != nil {
				t.Errorf("%s not written: %v", name, err)
			}
		}
		if !strings.HasPrefix(filepath.Base(res.RunDir), "TOE_2026-01-02_03-04-05_UTC-0_test") {
			t.Errorf("run folder %s does not follow TOE_<date>_<time>_UTC-0_<id>", res.RunDir)
		}
	}
	if *update {
		var out []txtar.File
		for _, f := range ar.Files {
			if !strings.HasPrefix(f.Name, "want/") {
				out = append(out, f)
			}
		}
		for _, name := range []string{"want/console", "want/detailedoutput.json"} {
			if v, ok := got[name]; ok {
				out = append(out, txtar.File{Name: name, Data: []byte(v)})
			}
		}
		ar.Files = out
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	// Every expected file is compared, and every produced one expected: a
	// run that returns no report fails an archive that wants one.
	want := map[string]string{}
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "want/") {
			want[f.Name] = string(f.Data)
		}
	}
	for _, name := range []string{"want/console", "want/detailedoutput.json"} {
		g, produced := got[name]
		w, expected := want[name]
		switch {
		case expected && !produced:
			t.Errorf("the archive expects %s, but the run returned no result (err %v)", name, err)
		case produced && !expected:
			t.Errorf("the run produced %s, which the archive lacks (run with -update to accept):\n%s", name, g)
		case g != w:
			t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", name, g, w)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
