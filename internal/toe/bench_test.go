package toe_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/toe"
)

const benchSteps = 50

func benchDoc(b *testing.B, step func(i int) string) toe.Input {
	var sb strings.Builder
	sb.WriteString("schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n")
	for i := 0; i < benchSteps; i++ {
		sb.WriteString(step(i))
	}
	return load(&testing.T{}, "bench.yaml", sb.String())
}

// BenchmarkFileStep measures a whole run of CreateFile steps through the
// engine (reports, logs, chaining included) and reports the cost per step.
func BenchmarkFileStep(b *testing.B) {
	dir := b.TempDir()
	in := benchDoc(b, func(i int) string {
		return fmt.Sprintf("      - name: F%d\n        action: CreateFile\n        inputs: [{path: '%s/f%d', content: x}]\n", i, dir, i)
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := toe.Run(context.Background(), []toe.Input{in}, toe.RunOptions{LogDir: filepath.Join(dir, "logs")}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*benchSteps), "µs/step")
}

// BenchmarkExecuteBashStep runs ExecuteBash `true` steps through the engine;
// compare its µs/step with BenchmarkBareBash.
func BenchmarkExecuteBashStep(b *testing.B) {
	dir := b.TempDir()
	in := benchDoc(b, func(i int) string {
		return fmt.Sprintf("      - name: B%d\n        action: ExecuteBash\n        inputs: {commands: ['true']}\n", i)
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := toe.Run(context.Background(), []toe.Input{in}, toe.RunOptions{LogDir: filepath.Join(dir, "logs")}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*benchSteps), "µs/step")
}

// BenchmarkBareBash is the floor: `bash -c true` started directly.
func BenchmarkBareBash(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if err := exec.Command("bash", "-c", "true").Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/step")
}
