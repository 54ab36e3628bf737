package vmtest

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func TestQEMUs(t *testing.T) {
	proc := fstest.MapFS{
		"1/cmdline":   {Data: []byte("/sbin/init\x00")},
		"2/cmdline":   {Data: nil}, // a kernel thread
		"10/cmdline":  {Data: []byte("go\x00test\x00")},
		"20/cmdline":  {Data: []byte("/usr/bin/qemu-system-x86_64\x00-name\x00goldsmith-build-vm\x00-qmp\x00unix:/tmp/gsb-1/build-vm/qmp.sock\x00")},
		"21/cmdline":  {Data: []byte("qemu-system-x86_64\x00-qmp\x00unix:/other/qmp.sock\x00")},
		"30/cmdline":  {Data: []byte("pgrep\x00-af\x00qemu-system.*/tmp/gsb-1\x00")}, // mentions both, is no VM
		"self/status": {Data: []byte("Name: x\n")},
	}
	cases := []struct {
		name    string
		self    int
		marker  string
		want    []string
		wantErr string
	}{
		{"finds the VM with the marker", 10, "/tmp/gsb-1", []string{"20 /usr/bin/qemu-system-x86_64 -name goldsmith-build-vm -qmp unix:/tmp/gsb-1/build-vm/qmp.sock"}, ""},
		{"none with another marker", 10, "/nowhere", nil, ""},
		{"cannot see itself", 99, "/tmp/gsb-1", nil, "not among"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := qemus(proc, tc.self, tc.marker)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := qemus(fstest.MapFS{}, 1, ""); err == nil {
		t.Error("an empty /proc passed: the check must fail when it cannot look")
	}
}

// TestQEMUsOnThisHost scans the real /proc: it must see this process.
func TestQEMUsOnThisHost(t *testing.T) {
	if _, err := qemus(os.DirFS("/proc"), os.Getpid(), "a marker no VM has"); err != nil {
		t.Fatal(err)
	}
}
