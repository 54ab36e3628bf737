package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Format is an output disk format.
type Format string

// Output formats.
const (
	QCOW2 Format = "qcow2"
	Raw   Format = "raw"
	VMDK  Format = "vmdk"
	VHDX  Format = "vhdx"
	VHD   Format = "vhd"
)

// Formats lists every output format.
var Formats = []Format{QCOW2, Raw, VMDK, VHDX, VHD}

// ParseFormats reads a comma-separated list such as "qcow2,vmdk".
func ParseFormats(s string) ([]Format, error) {
	var out []Format
	seen := map[Format]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		ok := false
		for _, k := range Formats {
			if Format(f) == k {
				ok = true
			}
		}
		if !ok {
			return nil, fmt.Errorf("unknown output format %q; choose from qcow2, raw, vmdk, vhdx, vhd", f)
		}
		if !seen[Format(f)] {
			seen[Format(f)] = true
			out = append(out, Format(f))
		}
	}
	if len(out) == 0 {
		return []Format{QCOW2}, nil
	}
	return out, nil
}

// Ext is the file extension for a format.
func (f Format) Ext() string { return string(f) }

// ConvertArgs is the qemu-img command line that writes src (qcow2, maybe
// with a backing chain, which is flattened) as dst in format f.
func ConvertArgs(f Format, src, dst string) []string {
	args := []string{"convert", "-p", "-f", "qcow2"}
	switch f {
	case QCOW2:
		args = append(args, "-O", "qcow2", "-o", "compat=1.1")
	case Raw:
		args = append(args, "-O", "raw", "-S", "4k")
	case VMDK:
		// streamOptimized is what vSphere imports (OVF/OVA, content library).
		args = append(args, "-O", "vmdk", "-o", "subformat=streamOptimized")
	case VHDX:
		args = append(args, "-O", "vhdx", "-o", "subformat=dynamic")
	case VHD:
		// Fixed-size VHD with the exact size, as Azure and Hyper-V Gen1 expect.
		args = append(args, "-O", "vpc", "-o", "subformat=fixed,force_size=on")
	}
	return append(args, src, dst)
}

// Convert writes src in format f to dst with qemu-img.
func Convert(ctx context.Context, f Format, src, dst string) error {
	cmd := exec.CommandContext(ctx, "qemu-img", ConvertArgs(f, src, dst)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.Remove(dst)
		return fmt.Errorf("convert to %s: %w: %s", f, err, lastLine(string(out)))
	}
	return nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "\r\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// SHA256File hashes a file and writes "<hex>  <name>\n" to path+".sha256",
// the format `sha256sum -c` checks.
func SHA256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	line := fmt.Sprintf("%s  %s\n", sum, filepath.Base(path))
	if err := os.WriteFile(path+".sha256", []byte(line), 0o644); err != nil {
		return "", err
	}
	return sum, nil
}
