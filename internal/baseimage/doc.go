// Package baseimage builds Goldsmith's own base images from Debian's archive and
// keeps them in a content-addressed cache.
//
// A base image is a GPT disk (an EFI system partition and an ext4 root) made
// entirely offline, without loop devices or mounts:
//
//   - mmdebstrap installs the root tree from the host's apt sources (read from
//     /etc/apt/sources.list and /etc/apt/sources.list.d, never a hard-coded
//     mirror: mmdebstrap itself would fall back to deb.debian.org when given no
//     mirror, so the host's sources are passed to it as a file);
//   - the ESP is a separate FAT32 file made with mkfs.vfat and filled with
//     mtools: systemd-boot as EFI/BOOT/BOOTX64.EFI with one loader entry for
//     UEFI firmware, and syslinux (with gptmbr.bin in the disk's first 440
//     bytes) for legacy BIOS, both loading /vmlinuz and /initrd.img from the ESP;
//   - the root filesystem is written in place with mkfs.ext4 -d at the root
//     partition's offset;
//   - the raw disk is converted to qcow2.
//
// Every build input (packages, suite, architecture, disk size, the builder's
// Version, SOURCE_DATE_EPOCH and the host's apt sources) goes into the image
// key; [Cache.Get] returns the cached image for a key at once. All identifiers
// the tools would otherwise pick at random (disk and partition UUIDs, the ext4
// UUID and hash seed, the FAT volume id) are derived from the key and all
// timestamps are clamped to SOURCE_DATE_EPOCH, so the same inputs and the same
// archive content give a byte-identical raw disk.
//
// A build takes minutes; [Cache.Progress] hears its stages (resolving,
// downloading, unpacking, configuring, customizing, assembling the disk)
// with package counts, read from mmdebstrap's --verbose output.
//
// Debugging: images built here let root log in on the serial console without a
// password. They are build machines, not products; the guest cleanup step of a
// build is where a real image gets locked down.
package baseimage
