package baseimage

import (
	"fmt"
	"strings"
)

// file is a file written into the root tree or the ESP.
type file struct {
	Path    string // absolute, inside the tree or the ESP
	Mode    uint32
	Content string
}

// setupScriptPath is where the overlay puts the script run in the chroot.
const setupScriptPath = "/tmp/goldsmith-setup.sh"

// AgentLabel is the filesystem label of the seed disk that carries the agent.
const AgentLabel = "GSAGENT"

// kernelCmdline is the kernel command line of both boot loaders.
func kernelCmdline(id ids) string {
	// quiet: under TCG every console line costs boot time.
	return "root=PARTUUID=" + id.RootGUID + " ro console=ttyS0,115200n8 quiet"
}

// agentUnit starts `goldsmith agent` from the seed disk. The udev rule below
// starts it when a disk labelled GSAGENT appears (also when attached late); the
// condition makes it a no-op, not a failure, when there is none. The seed disk
// may be ext4 or vfat and is mounted read-only. It waits for nothing but the
// local file systems: under TCG starting the agent (mounting the seed disk,
// loading a large static binary) takes seconds, which now overlap with the
// rest of the boot. The host waits for the boot to finish and for the network
// before it runs anything (internal/workflow's dialAgent).
const agentUnit = `[Unit]
Description=Goldsmith guest agent (from the ` + AgentLabel + ` seed disk)
Documentation=https://github.com/goldsmith-dev/goldsmith
ConditionPathExists=/dev/disk/by-label/` + AgentLabel + `
After=local-fs.target

[Service]
Type=simple
ExecStartPre=/bin/mkdir -p /run/goldsmith-seed
ExecStartPre=-/bin/umount /run/goldsmith-seed
ExecStartPre=/bin/mount -o ro /dev/disk/by-label/` + AgentLabel + ` /run/goldsmith-seed
ExecStart=/run/goldsmith-seed/goldsmith agent
ExecStopPost=-/bin/umount /run/goldsmith-seed
Restart=on-failure
RestartSec=1

[Install]
WantedBy=multi-user.target
`

const agentUdevRule = `# Start the Goldsmith agent when its seed disk appears.
SUBSYSTEM=="block", ENV{ID_FS_LABEL}=="` + AgentLabel + `", TAG+="systemd", ENV{SYSTEMD_WANTS}+="goldsmith-agent.service"
`

// espHook keeps the boot entries following kernel upgrades inside later
// builds. Both boot loaders load /vmlinuz and /initrd.img from the ESP, which
// the guest mounts at /boot/efi; this hook, run by the kernel's postinst.d and
// by initramfs-tools' post-update.d, copies the newest installed kernel and its
// initrd there. (Alternatives considered: kernel-install with
// systemd-boot's own hooks only serves UEFI; GRUB installed from inside the
// guest needs a first boot.)
const espHook = `#!/bin/sh
# Goldsmith: copy the newest kernel and initrd to the ESP, where systemd-boot
# (UEFI) and syslinux (BIOS) load /vmlinuz and /initrd.img.
set -e
esp=/boot/efi
if ! mountpoint -q "$esp"; then
	echo "goldsmith: $esp is not mounted; the ESP still boots the old kernel" >&2
	exit 0
fi
v=$(ls /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V | tail -n 1)
[ -n "$v" ] && [ -f "/boot/initrd.img-$v" ] || exit 0
cp "/boot/vmlinuz-$v" "$esp/vmlinuz.new"
cp "/boot/initrd.img-$v" "$esp/initrd.img.new"
sync
mv "$esp/vmlinuz.new" "$esp/vmlinuz"
mv "$esp/initrd.img.new" "$esp/initrd.img"
`

// initramfsConf makes the initramfs hold only the storage drivers of
// virtual machines (initramfsModules, added by initramfsHook) instead of most
// of the kernel's: about a fifth of the size, which the kernel unpacks much
// faster under TCG.
const initramfsConf = `# Goldsmith base image: only the modules that hooks/goldsmith adds.
MODULES=list
`

// initramfsModules are the disk drivers of the hypervisors golden images
// run on (QEMU/KVM, VMware, Hyper-V, Xen, clouds' NVMe) and the root file
// system.
var initramfsModules = []string{
	"virtio_pci", "virtio_blk", "virtio_scsi", "nvme", "ahci", "sd_mod", "sr_mod",
	"vmw_pvscsi", "mptspi", "hv_vmbus", "hv_storvsc", "xen_blkfront", "ext4",
}

// initramfsModulesFile replaces /etc/initramfs-tools/modules, whose modules
// the initramfs would load at every boot whether or not the machine has the
// device: under TCG loading the dozen drivers above (and probing the
// controllers they find) cost seconds before the root was mounted.
const initramfsModulesFile = `# Goldsmith base image: the storage drivers are added to the initramfs by
# /etc/initramfs-tools/hooks/goldsmith and loaded by udev only when the
# machine has the device. Modules listed here are loaded at every boot.
`

// initramfsHook copies initramfsModules (and what they depend on) into the
// initramfs without loading them.
var initramfsHook = `#!/bin/sh
# Goldsmith base image: the storage drivers of common hypervisors, loaded by
# udev when the device is there.
case "$1" in prereqs) exit 0 ;; esac
. /usr/share/initramfs-tools/hook-functions
for m in ` + strings.Join(initramfsModules, " ") + `; do
	manual_add_modules "$m"
done
`

// setupScript runs in the chroot after the overlay is copied in.
const setupScript = `#!/bin/sh
set -e
systemctl enable systemd-networkd.service serial-getty@ttyS0.service goldsmith-agent.service
# e2scrub_reap removes the LVM snapshots that an interrupted e2scrub left;
# the image has no LVM (e2scrub needs it), and the reaper's shell scripts
# cost 10-17 s of CPU at every boot under TCG. Enable it again if you put
# file systems on LVM and run e2scrub.
systemctl disable e2scrub_reap.service
# man-db rebuilds its index after every package install, which is most of
# a small install's time under TCG; man pages still work (apropos needs
# "mandb" run by hand).
rm -f /var/lib/man-db/auto-update
# The kernel package built its initramfs before the overlay set MODULES=list.
update-initramfs -u -k all
# No password logs in as root: the agent does the builds, and an image
# gets the accounts its components create.
passwd --lock root >/dev/null
rm -f ` + setupScriptPath + `
`

// rootFiles are written over the installed tree before setupScript runs.
func rootFiles(s Spec, id ids) []file {
	return []file{
		{"/etc/hostname", 0o644, s.Hostname + "\n"},
		{"/etc/hosts", 0o644, "127.0.0.1\tlocalhost\n127.0.1.1\t" + s.Hostname + "\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
		// QEMU user-mode networking's DNS forwarder; static, no resolved.
		{"/etc/resolv.conf", 0o644, "nameserver 10.0.2.3\n"},
		// The root keeps fsck pass 1 although it costs 2-4 s of every boot
		// under TCG (systemd-fsck-root): users' machines boot this image, and
		// only a boot-time fsck repairs errors the kernel recorded
		// (errors=remount-ro). A fresh build VM would not need it.
		{"/etc/fstab", 0o644, fmt.Sprintf(
			"PARTUUID=%s\t/\text4\trw,errors=remount-ro\t0\t1\n"+
				"PARTUUID=%s\t/boot/efi\tvfat\tumask=0077,nofail\t0\t0\n", id.RootGUID, id.ESPGUID)},
		{"/boot/efi/.keep", 0o644, ""},
		{"/etc/systemd/network/80-goldsmith-dhcp.network", 0o644, "[Match]\nName=en*\n\n[Network]\nDHCP=yes\n"},
		{"/etc/apt/apt.conf.d/90goldsmith", 0o644, "// Goldsmith base image: no translations (smaller, faster apt-get update).\nAcquire::Languages \"none\";\n"},
		{"/etc/initramfs-tools/conf.d/goldsmith.conf", 0o644, initramfsConf},
		{"/etc/initramfs-tools/modules", 0o644, initramfsModulesFile},
		{"/etc/initramfs-tools/hooks/goldsmith", 0o755, initramfsHook},
		{"/etc/modprobe.d/goldsmith.conf", 0o644, "# No floppy drive on build VMs; probing it costs seconds.\nblacklist floppy\n"},
		{"/etc/systemd/system/goldsmith-agent.service", 0o644, agentUnit},
		{"/etc/udev/rules.d/90-goldsmith-agent.rules", 0o644, agentUdevRule},
		{"/etc/kernel/postinst.d/zz-goldsmith-esp", 0o755, espHook},
		{"/etc/initramfs/post-update.d/zz-goldsmith-esp", 0o755, espHook},
		{setupScriptPath, 0o755, setupScript},
	}
}

// espFiles are the boot loaders' configuration files on the ESP. The kernel
// and initrd are copied from the tree's /boot, the loader binaries from the
// host (systemd-boot-efi and syslinux packages).
func espFiles(id ids) []file {
	cmdline := kernelCmdline(id)
	return []file{
		{"/loader/loader.conf", 0o644, "default goldsmith.conf\ntimeout 0\neditor no\n"},
		{"/loader/entries/goldsmith.conf", 0o644,
			"title Goldsmith base image\nlinux /vmlinuz\ninitrd /initrd.img\noptions " + cmdline + "\n"},
		{"/syslinux/syslinux.cfg", 0o644,
			"SERIAL 0 115200\nPROMPT 0\nTIMEOUT 1\nDEFAULT linux\nLABEL linux\n  KERNEL /vmlinuz\n  INITRD /initrd.img\n  APPEND " + cmdline + "\n"},
	}
}

// Host files the ESP is made from.
const (
	systemdBootEFI = "/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
	gptMBR         = "/usr/lib/syslinux/mbr/gptmbr.bin"
)
