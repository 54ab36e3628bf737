package agentbin

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	given := filepath.Join(dir, "given-agent")
	exeDir := filepath.Join(dir, "with-agent")
	bare := filepath.Join(dir, "bare")
	for _, d := range []string{exeDir, bare} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{given, filepath.Join(exeDir, Name)} {
		if err := os.WriteFile(f, []byte("agent"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	builtin := []byte("built-in agent")
	tests := []struct {
		name     string
		explicit string
		embedded []byte
		exe      string
		want     string // "" with an error
		where    Where
		err      error
	}{
		{"given wins", given, builtin, filepath.Join(exeDir, "goldsmith"), given, Explicit, nil},
		{"given but missing", filepath.Join(dir, "nope"), builtin, "", "", "", os.ErrNotExist},
		{"built in", "", builtin, filepath.Join(exeDir, "goldsmith"), "(written to the out folder)", Builtin, nil},
		{"beside goldsmith", "", nil, filepath.Join(exeDir, "goldsmith"), filepath.Join(exeDir, Name), Beside, nil},
		{"nowhere", "", nil, filepath.Join(bare, "goldsmith"), "", "", ErrNotFound},
		{"unknown executable", "", nil, "", "", "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			got, where, err := find(tt.explicit, out, tt.embedded, tt.exe)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("find = %q, %v; want error %v", got, err, tt.err)
				}
				return
			}
			want := tt.want
			if where == Builtin {
				want = filepath.Join(out, Name)
			}
			if err != nil || got != want || where != tt.where {
				t.Fatalf("find = %q, %q, %v; want %q, %q", got, where, err, want, tt.where)
			}
			if where == Builtin {
				if b, err := os.ReadFile(got); err != nil || !bytes.Equal(b, builtin) {
					t.Errorf("the written built-in agent is %q, %v", b, err)
				}
			}
		})
	}
}
