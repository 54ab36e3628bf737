package workflow_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/testneed"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

func TestConvertArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f    workflow.Format
		want string
	}{
		{workflow.QCOW2, "convert -p -f qcow2 -O qcow2 -o compat=1.1 in.qcow2 out"},
		{workflow.Raw, "convert -p -f qcow2 -O raw -S 4k in.qcow2 out"},
		{workflow.VMDK, "convert -p -f qcow2 -O vmdk -o subformat=streamOptimized in.qcow2 out"},
		{workflow.VHDX, "convert -p -f qcow2 -O vhdx -o subformat=dynamic in.qcow2 out"},
		{workflow.VHD, "convert -p -f qcow2 -O vpc -o subformat=fixed,force_size=on in.qcow2 out"},
	} {
		if got := strings.Join(workflow.ConvertArgs(tc.f, "in.qcow2", "out"), " "); got != tc.want {
			t.Errorf("%s: %s\nwant %s", tc.f, got, tc.want)
		}
	}
}

func TestParseFormats(t *testing.T) {
	t.Parallel()
	got, err := workflow.ParseFormats("qcow2, VMDK,vhd,qcow2")
	if err != nil || !reflect.DeepEqual(got, []workflow.Format{workflow.QCOW2, workflow.VMDK, workflow.VHD}) {
		t.Fatalf("got %v %v", got, err)
	}
	if got, _ := workflow.ParseFormats(""); !reflect.DeepEqual(got, []workflow.Format{workflow.QCOW2}) {
		t.Errorf("default %v", got)
	}
	if _, err := workflow.ParseFormats("ova"); err == nil || !strings.Contains(err.Error(), "choose from") {
		t.Errorf("err %v", err)
	}
}

// TestConvertReal converts a small qcow2 to every format with the real
// qemu-img and checks what qemu-img reports back.
func TestConvertReal(t *testing.T) {
	t.Parallel()
	testneed.Tools(t, "run scripts/setup.sh", "qemu-img")
	dir := t.TempDir()
	src := filepath.Join(dir, "src.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-f", "qcow2", src, "16M").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[workflow.Format]string{workflow.QCOW2: "qcow2", workflow.Raw: "raw", workflow.VMDK: "vmdk", workflow.VHDX: "vhdx", workflow.VHD: "vpc"}
	for _, f := range workflow.Formats {
		dst := filepath.Join(dir, "out."+f.Ext())
		if err := workflow.Convert(t.Context(), f, src, dst); err != nil {
			t.Fatal(err)
		}
		args := []string{"info", "--output=json", dst}
		if f == workflow.VHD {
			// qemu-img does not detect fixed VHDs by probing: name the format.
			args = []string{"info", "--output=json", "-f", "vpc", dst}
		}
		out, err := exec.Command("qemu-img", args...).Output()
		if err != nil || !strings.Contains(string(out), `"format": "`+want[f]+`"`) || !strings.Contains(string(out), `"virtual-size": 16777216`) {
			t.Errorf("%s: qemu-img info says %s (%v)", f, out, err)
		}
		sum, err := workflow.SHA256File(dst)
		if err != nil || len(sum) != 64 {
			t.Fatalf("sha256: %v", err)
		}
		line, _ := os.ReadFile(dst + ".sha256")
		if string(line) != sum+"  out."+f.Ext()+"\n" {
			t.Errorf("sha256 file %q", line)
		}
	}
}
