package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"goldsmith": main,
	})
}

// TestScripts runs the command-line scripts in testdata/script: the real
// binary's exit codes, stdout and stderr, as a user sees them.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("PATH", os.Getenv("PATH"))
			return nil
		},
	})
}
