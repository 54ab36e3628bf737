// Package qemu launches build and test VMs with QEMU.
//
// A VM boots a qcow2 overlay on a base image through its own firmware and
// boot loader (SeaBIOS or OVMF; never direct kernel boot), with optional
// read-only extra drives (the agent's seed disk), optional user-mode NAT
// networking, a virtio-serial port named AgentPort exposed on the host as a
// unix socket, the serial console written to a log file and a QMP socket for
// control. Command lines are built by the pure function Args.
//
// KVM is used only when ProbeKVM proves it can actually run a guest: on some
// hosts /dev/kvm exists but guests die with an internal error or hang (nested
// virtualization), and TCG is the working fallback.
package qemu

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Accel selects the accelerator.
type Accel string

// Accelerators.
const (
	AccelAuto Accel = "auto" // KVM if ProbeKVM passes, else TCG
	AccelKVM  Accel = "kvm"
	AccelTCG  Accel = "tcg"
)

// Firmware selects how the VM boots.
type Firmware string

// Firmwares.
const (
	FirmwareBIOS Firmware = "bios" // SeaBIOS, QEMU's default
	FirmwareUEFI Firmware = "uefi" // OVMF from pflash
)

// TCGCPUModel is the guest CPU under TCG, unless Config.CPUModel says
// otherwise: x86-64-v2 (what RHEL 9 and its rebuilds require) on QEMU's
// AMD-flavoured qemu64, without AVX. `-cpu max` offers AVX2, AVX and
// 5-level paging, which TCG emulates at a cost and which make the guest's
// glibc and kernel take slower paths; with this model a boot to the agent
// and an nginx install ran 10-20 % faster (BENCHMARKS.md). A vendor of
// AMD keeps the guest kernel from turning on Meltdown page table
// isolation, which would make every system call far slower under TCG.
// Guests that need x86-64-v3 (RHEL 10) take CPUModel "max". Without SVM
// (which qemu64 offers): a guest with it loads kvm_amd at every boot, for
// nested virtualization that TCG makes useless.
const TCGCPUModel = "qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16,-svm"

// AgentPort is the name of the virtio-serial port the guest agent opens
// (/dev/virtio-ports/org.goldsmith.agent.0 in the guest).
const AgentPort = "org.goldsmith.agent.0"

// Default OVMF files (Debian's ovmf package).
const (
	DefaultOVMFCode = "/usr/share/OVMF/OVMF_CODE_4M.fd"
	DefaultOVMFVars = "/usr/share/OVMF/OVMF_VARS_4M.fd"
)

// Drive is an extra disk attached to the VM.
type Drive struct {
	Path string
	// Format is "raw" (default) or "qcow2".
	Format string
	// ReadOnly attaches the drive read-only (seed disks).
	ReadOnly bool
}

// Config describes a VM.
type Config struct {
	// Name labels the VM in QEMU and in logs. Default "goldsmith".
	Name string
	// Dir holds the VM's files: the disk overlay, the UEFI variable store, the
	// sockets and the serial log. Required; it must exist. The caller removes
	// it after the VM has stopped.
	Dir string
	// Base is the disk the VM boots, as the qcow2 backing file of a new
	// overlay Dir/disk.qcow2. Required.
	Base string
	// DiskSizeMiB grows the overlay's virtual size. Default: the base's size.
	DiskSizeMiB int
	// MemoryMiB is the guest memory. Default 1024.
	MemoryMiB int
	// CPUs is the number of vCPUs. Default 2.
	CPUs int
	// Accel is the accelerator. Default AccelAuto.
	Accel Accel
	// Firmware is how the VM boots. Default FirmwareBIOS.
	Firmware Firmware
	// Network attaches a virtio-net NIC on QEMU user-mode NAT. Default off.
	Network bool
	// DiskCache is the boot disk's QEMU cache mode. Default "" (QEMU's
	// writeback, which honours the guest's flushes). "unsafe" ignores them:
	// right for throwaway overlays whose data is read back on the same host
	// after a clean power-off, and much faster for package installs (dpkg
	// flushes after every file).
	DiskCache string
	// Drives are extra disks, attached after the boot disk.
	Drives []Drive
	// OVMFCode and OVMFVars are the UEFI firmware and the variable store
	// template copied per VM. Defaults DefaultOVMFCode and DefaultOVMFVars.
	OVMFCode, OVMFVars string
	// QEMU is the emulator binary. Default "qemu-system-x86_64".
	QEMU string
	// CPUModel is QEMU's -cpu value. Default: "host" with KVM, TCGCPUModel
	// with TCG.
	CPUModel string
	// Incoming, when set, is a state file written by VM.SaveState: the VM
	// starts from it instead of booting. Base must then be the disk layer
	// snapshotted with the state, and everything else as when it was saved.
	Incoming string
}

// Paths of a VM's files inside Config.Dir.
func (c Config) DiskPath() string   { return filepath.Join(c.Dir, "disk.qcow2") }
func (c Config) VarsPath() string   { return filepath.Join(c.Dir, "OVMF_VARS.fd") }
func (c Config) QMPPath() string    { return filepath.Join(c.Dir, "qmp.sock") }
func (c Config) AgentPath() string  { return filepath.Join(c.Dir, "agent.sock") }
func (c Config) SerialPath() string { return filepath.Join(c.Dir, "serial.log") }

// WithDefaults returns c with every unset field set to its default. Accel
// stays AccelAuto; Launch resolves it.
func (c Config) WithDefaults() Config {
	if c.Name == "" {
		c.Name = "goldsmith"
	}
	if c.MemoryMiB == 0 {
		c.MemoryMiB = 1024
	}
	if c.CPUs == 0 {
		c.CPUs = 2
	}
	if c.Accel == "" {
		c.Accel = AccelAuto
	}
	if c.Firmware == "" {
		c.Firmware = FirmwareBIOS
	}
	if c.OVMFCode == "" {
		c.OVMFCode = DefaultOVMFCode
	}
	if c.OVMFVars == "" {
		c.OVMFVars = DefaultOVMFVars
	}
	if c.QEMU == "" {
		c.QEMU = "qemu-system-x86_64"
	}
	for i := range c.Drives {
		if c.Drives[i].Format == "" {
			c.Drives[i].Format = "raw"
		}
	}
	return c
}

// Validate checks a config that has its defaults set; it touches no files.
func (c Config) Validate() error {
	switch {
	case c.Dir == "":
		return errors.New("vm config: Dir is required: give the VM a directory for its files")
	case c.Base == "":
		return errors.New("vm config: Base is required: give the disk image to boot")
	case c.MemoryMiB < 128:
		return fmt.Errorf("vm config: memory %d MiB is too small: use at least 128", c.MemoryMiB)
	case c.CPUs < 1 || c.CPUs > 64:
		return fmt.Errorf("vm config: %d CPUs: use 1 to 64", c.CPUs)
	case c.DiskSizeMiB < 0:
		return fmt.Errorf("vm config: disk size %d MiB is negative", c.DiskSizeMiB)
	}
	switch c.Accel {
	case AccelAuto, AccelKVM, AccelTCG:
	default:
		return fmt.Errorf("vm config: accelerator %q: use auto, kvm or tcg", c.Accel)
	}
	switch c.DiskCache {
	case "", "writeback", "none", "writethrough", "directsync", "unsafe":
	default:
		return fmt.Errorf("vm config: disk cache %q: use writeback, none, writethrough, directsync or unsafe", c.DiskCache)
	}
	switch c.Firmware {
	case FirmwareBIOS, FirmwareUEFI:
	default:
		return fmt.Errorf("vm config: firmware %q: use bios or uefi", c.Firmware)
	}
	if err := c.checkAbsolute(); err != nil {
		return err
	}
	if strings.ContainsAny(c.CPUModel, " \t\n") {
		return fmt.Errorf("vm config: cpu model %q: no spaces (for example max, host or qemu64,+sse4.2)", c.CPUModel)
	}
	if c.Incoming != "" {
		if _, err := stateURI(c.Incoming, false); err != nil {
			return err
		}
	}
	for _, d := range c.Drives {
		if d.Path == "" || (d.Format != "raw" && d.Format != "qcow2") {
			return fmt.Errorf("vm config: drive %q: give a path and format raw or qcow2", d.Path)
		}
	}
	return nil
}

// checkAbsolute refuses relative file paths: QEMU records a disk's backing
// file as given and resolves a relative one from the overlay's folder, not
// from the working directory, so a relative path breaks every layer made on
// it. Callers make paths absolute where the user gives them.
func (c Config) checkAbsolute() error {
	type named struct{ what, path string }
	paths := []named{{"Dir", c.Dir}, {"Base", c.Base}, {"Incoming", c.Incoming}}
	if c.Firmware == FirmwareUEFI {
		paths = append(paths, named{"OVMFCode", c.OVMFCode}, named{"OVMFVars", c.OVMFVars})
	}
	for _, d := range c.Drives {
		paths = append(paths, named{"drive", d.Path})
	}
	for _, p := range paths {
		if p.path != "" && !filepath.IsAbs(p.path) {
			return fmt.Errorf("vm config: %s %q is a relative path: give an absolute one (QEMU reads relative backing files from the overlay's folder)", p.what, p.path)
		}
	}
	return nil
}

// Args is the qemu command line (without the binary) for a config with its
// defaults set and Accel resolved to kvm or tcg. It is a pure function.
func Args(c Config) []string {
	a := []string{
		"-name", "goldsmith-" + c.Name,
		"-machine", "q35",
		"-nodefaults", "-no-user-config", "-display", "none",
	}
	cpu := c.CPUModel
	if c.Accel == AccelKVM {
		if cpu == "" {
			cpu = "host"
		}
		a = append(a, "-accel", "kvm", "-cpu", cpu)
	} else {
		if cpu == "" {
			cpu = TCGCPUModel
		}
		a = append(a, "-accel", "tcg,thread=multi", "-cpu", cpu)
	}
	a = append(a, "-smp", strconv.Itoa(c.CPUs), "-m", strconv.Itoa(c.MemoryMiB))
	if c.Firmware == FirmwareUEFI {
		a = append(a,
			"-drive", "if=pflash,format=raw,unit=0,readonly=on,file="+c.OVMFCode,
			"-drive", "if=pflash,format=raw,unit=1,file="+c.VarsPath())
	}
	disk := "file=" + c.DiskPath() + ",id=" + DiskID + ",format=qcow2,if=virtio,discard=unmap"
	if c.DiskCache != "" {
		disk += ",cache=" + c.DiskCache
	}
	a = append(a, "-drive", disk)
	for _, d := range c.Drives {
		opt := "file=" + d.Path + ",format=" + d.Format + ",if=virtio"
		if d.ReadOnly {
			opt += ",readonly=on"
		}
		a = append(a, "-drive", opt)
	}
	if c.Network {
		a = append(a, "-netdev", "user,id=net0", "-device", "virtio-net-pci,netdev=net0")
	}
	a = append(a,
		// Entropy: without it a TCG guest can wait long for its RNG.
		"-device", "virtio-rng-pci",
		"-device", "virtio-serial-pci,id=vser0",
		"-chardev", "socket,id=agent0,path="+c.AgentPath()+",server=on,wait=off",
		"-device", "virtserialport,bus=vser0.0,chardev=agent0,name="+AgentPort,
		"-chardev", "file,id=serial0,path="+c.SerialPath(),
		"-serial", "chardev:serial0",
		"-qmp", "unix:"+c.QMPPath()+",server=on,wait=off",
		// A new generation id on every start: a guest resumed from a saved
		// state reseeds its random number generator (Linux ≥ 5.18), so
		// two VMs resumed from one state do not share their randomness.
		"-device", "vmgenid",
	)
	if c.Incoming != "" {
		uri, _ := stateURI(absPath(c.Incoming), false)
		a = append(a, "-incoming", uri)
	}
	return a
}

// overlayArgs is the qemu-img command line creating the VM's disk overlay.
func overlayArgs(c Config) []string {
	a := []string{"create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", absPath(c.Base), c.DiskPath()}
	if c.DiskSizeMiB > 0 {
		a = append(a, strconv.Itoa(c.DiskSizeMiB)+"M")
	}
	return a
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// checkFiles checks that the files a config needs exist.
func checkFiles(c Config) error {
	if st, err := os.Stat(c.Dir); err != nil || !st.IsDir() {
		return fmt.Errorf("vm directory %s does not exist: create it first", c.Dir)
	}
	if _, err := os.Stat(c.Base); err != nil {
		return fmt.Errorf("base disk: %w", err)
	}
	if c.Firmware == FirmwareUEFI {
		for _, p := range []string{c.OVMFCode, c.OVMFVars} {
			if _, err := os.Stat(p); err != nil {
				return fmt.Errorf("uefi firmware (install the ovmf package): %w", err)
			}
		}
	}
	for _, d := range c.Drives {
		if _, err := os.Stat(d.Path); err != nil {
			return fmt.Errorf("extra drive: %w", err)
		}
	}
	return nil
}
