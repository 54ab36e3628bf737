package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status": cmdStatus,
			"serve":  cmdServe,
		},
	})
}

// cmdStatus is `status N PROGRAM ARGS...`: run the program and require
// exit status N (stdout and stderr are kept for the next checks).
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N program args...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("status: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

var listeningRE = regexp.MustCompile(`listening on (http://\S+)`)

// cmdServe is `serve DATADIR [FLAGS...]`: run goldsmith serve (no build
// workers, a free port) in the background until the script ends, and set
// $ENDPOINT to its address once it serves; $SERVE_OUT is the file with
// what it printed.
func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: serve DATADIR [flags...]")
	}
	bin := ""
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if p := filepath.Join(dir, "goldsmith"); isExecutableFile(p) {
			bin = p
			break
		}
	}
	if bin == "" {
		ts.Fatalf("serve: goldsmith is not on the script's PATH")
	}
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--workers", "0", "--data-dir", ts.MkAbs(args[0])}, args[1:]...)...)
	cmd.Env = append(os.Environ(), "HOME="+ts.Getenv("HOME"), "PATH="+ts.Getenv("PATH"))
	cmd.Dir = ts.Getenv("WORK")
	outFile := ts.MkAbs("serve.out")
	out, err := os.Create(outFile)
	ts.Check(err)
	pr, err := cmd.StdoutPipe()
	ts.Check(err)
	cmd.Stderr = out
	ts.Check(cmd.Start())
	ts.Defer(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		out.Close()
	})
	found := make(chan string, 1)
	lines := make(chan struct{}, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
			select {
			case lines <- struct{}{}:
			default:
			}
		}
		close(found)
	}()
	select {
	case ep, ok := <-found:
		if !ok {
			b, _ := os.ReadFile(outFile)
			ts.Fatalf("serve exited:\n%s", strings.TrimSpace(string(b)))
		}
		ts.Setenv("ENDPOINT", ep)
		ts.Setenv("SERVE_OUT", outFile)
	case <-time.After(60 * time.Second):
		ts.Fatalf("serve did not start within a minute")
	}
	// The start-up message goes on after the address: wait until it stops.
	for {
		select {
		case <-lines:
			continue
		case <-time.After(500 * time.Millisecond):
		}
		break
	}
}

func isExecutableFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}
