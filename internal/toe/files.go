package toe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// Names of the files in a run folder.
const (
	DetailedOutputFile = "detailedoutput.json"
	ConsoleLogFile     = "console.log"
	ApplicationLogFile = "application.log"
	DocumentFile       = "document.yaml"
	ChainingFile       = "chaining.json"
)

type runFiles struct {
	dir     string
	console *os.File
	app     *os.File
	con     *console
	log     *slog.Logger
}

func openRunFiles(dir string, opts RunOptions) (*runFiles, error) {
	flags := os.O_CREATE | os.O_APPEND | os.O_WRONLY
	cf, err := os.OpenFile(filepath.Join(dir, ConsoleLogFile), flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open console.log: %w", err)
	}
	af, err := os.OpenFile(filepath.Join(dir, ApplicationLogFile), flags, 0o644)
	if err != nil {
		cf.Close()
		return nil, fmt.Errorf("open application.log: %w", err)
	}
	f := &runFiles{dir: dir, console: cf, app: af}
	f.con = &console{out: io.MultiWriter(cf, opts.Console), now: opts.Now}
	var appOut io.Writer = af
	if opts.Trace {
		appOut = io.MultiWriter(af, opts.Console)
	}
	f.log = slog.New(slog.NewTextHandler(appOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return f, nil
}

func (f *runFiles) close() {
	f.console.Close()
	f.app.Close()
}

func (f *runFiles) writeReports(rep *Report, ch *chain) error {
	if err := writeJSON(filepath.Join(f.dir, DetailedOutputFile), rep); err != nil {
		return err
	}
	return writeJSON(filepath.Join(f.dir, ChainingFile), ch)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	b = append(b, '\n')
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// writeDocumentCopy saves the input documents as document.yaml; several
// documents are separated by "---" with a comment naming each.
func writeDocumentCopy(dir string, inputs []Input) error {
	var b bytes.Buffer
	for i, in := range inputs {
		if len(inputs) > 1 {
			if i > 0 {
				b.WriteString("---\n")
			}
			fmt.Fprintf(&b, "# %s\n", in.Location)
		}
		b.Write(in.Doc.Raw)
		if len(in.Doc.Raw) > 0 && in.Doc.Raw[len(in.Doc.Raw)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return os.WriteFile(filepath.Join(dir, DocumentFile), b.Bytes(), 0o644)
}
