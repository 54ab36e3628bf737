package main

import (
	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/machine/qemu"
)

// machineSettings are the VM flags of goldsmith build, checked before any
// work starts (qemu.Config.Validate checks the same when a VM launches,
// which is minutes later, after the base image).
type machineSettings struct {
	accel, firmware, testFirmware, cpuModel string
	memoryMiB, cpus                         int
}

func (m machineSettings) check() error {
	if err := oneOf("--accelerator", m.accel, string(qemu.AccelAuto), string(qemu.AccelKVM), string(qemu.AccelTCG)); err != nil {
		return err
	}
	if err := oneOf("--firmware", m.firmware, string(qemu.FirmwareBIOS), string(qemu.FirmwareUEFI)); err != nil {
		return err
	}
	if m.testFirmware != "" {
		if err := oneOf("--test-firmware", m.testFirmware, string(qemu.FirmwareBIOS), string(qemu.FirmwareUEFI)); err != nil {
			return err
		}
	}
	if m.memoryMiB < 128 {
		return invalidf("--memory %d: give the guest memory in MiB, at least 128 (default 2048)", m.memoryMiB)
	}
	if m.cpus < 1 || m.cpus > 64 {
		return invalidf("--cpus %d: use 1 to 64", m.cpus)
	}
	for _, r := range m.cpuModel {
		if r == ' ' || r == '\t' || r == '\n' {
			return invalidf("--cpu-model %q: no spaces (for example max, host or qemu64,+sse4.2)", m.cpuModel)
		}
	}
	return nil
}

// oneOf refuses a value outside allowed, naming the allowed ones and the
// closest.
func oneOf(flag, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	list := ""
	for i, a := range allowed {
		switch {
		case i == 0:
		case i == len(allowed)-1:
			list += " or "
		default:
			list += ", "
		}
		list += a
	}
	return invalidf("%s %q: use %s%s", flag, value, list, component.Suggest(value, allowed))
}
