#!/bin/bash
# Prepares what every QEMU end-to-end configuration boots: Debian's kernel
# (from linux-image-amd64, cached) and an initramfs holding busybox, nvqual and
# nvme-cli with their shared libraries, the shipped suites, the kernel modules the guest needs
# and the init script.
#
# usage: prepare-guest.sh --nvqual PATH --cache DIR --out DIR
#   --cache  kept across runs: the downloaded kernel package and its extraction
#   --out    receives vmlinuz, initramfs.cpio and kernel-version
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
nvqual="" cache="" out=""
while (( $# )); do
  case $1 in
    --nvqual) nvqual=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "prepare-guest: unknown argument '$1'; see the usage line at the top of $0" >&2; exit 2 ;;
  esac
done
[[ -n $nvqual && -n $cache && -n $out ]] || { echo "prepare-guest: --nvqual, --cache and --out are required" >&2; exit 2; }
[[ -x $nvqual ]] || { echo "prepare-guest: nvqual binary '$nvqual' not found; build target nvqual first" >&2; exit 2; }

"$here/lib/ensure-host-tools.sh"
mkdir -p "$cache" "$out"
cache=$(cd "$cache" && pwd)
out=$(cd "$out" && pwd)

# --- kernel: linux-image-amd64 is a metapackage; download what it depends on.
kernel_pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
[[ -n $kernel_pkg ]] || { echo "prepare-guest: apt-cache knows no linux-image-amd64; run apt-get update" >&2; exit 1; }
kroot="$cache/$kernel_pkg"
# A newer kernel ABI replaces the cached one rather than piling up next to it.
find "$cache" -maxdepth 1 -name 'linux-image-*' ! -name "${kernel_pkg}" ! -name "${kernel_pkg}_*.deb" \
  -exec rm -rf {} +
if [[ ! -f $kroot/.extracted ]]; then
  deb=$(ls "$cache"/"${kernel_pkg}"_*.deb 2>/dev/null | head -n1 || true)
  if [[ -z $deb ]]; then
    echo "prepare-guest: downloading $kernel_pkg" >&2
    # apt-get download writes into the current directory; -o keeps the _apt sandbox from complaining.
    (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$kernel_pkg" >&2)
    deb=$(ls "$cache"/"${kernel_pkg}"_*.deb | head -n1)
  fi
  rm -rf "$kroot"
  dpkg-deb -x "$deb" "$kroot"
  kver=$(ls "$kroot/lib/modules")
  # Debian generates modules.dep in postinst, not in the package.
  depmod -b "$kroot" "$kver"
  touch "$kroot/.extracted"
fi
kver=$(ls "$kroot/lib/modules")
cp "$kroot/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "$kver" > "$out/kernel-version"

# --- initramfs tree
tree="$out/initramfs"
rm -rf "$tree"
mkdir -p "$tree"/{bin,sbin,dev,proc,sys,tmp,run,results,etc,lib/modules}
# As on a Debian host: /tmp is every user's, so a non-root nvqual can keep its
# lock file there; root's go to /run/nvqual, which nvqual creates root-owned.
chmod 1777 "$tree/tmp"
# The unprivileged user of the plan's non-root steps (e2e/plan.py NONROOT_*).
printf 'root:x:0:0:root:/:/bin/sh\nnvq:x:1000:1000:nvqual e2e user:/tmp:/bin/sh\n' > "$tree/etc/passwd"
printf 'root:x:0:\nnvq:x:1000:\n' > "$tree/etc/group"
cp /bin/busybox "$tree/bin/busybox"
install -m 0755 "$here/guest/init" "$tree/init"

# Modules in load order. modprobe prints "insmod /path" for each module and
# "builtin name" for those compiled in; keep the order, drop duplicates.
# ext4 (it mounts ext2 too): guest/init mounts a file system in a private mount
# namespace to check that `nvqual bind` refuses a disk only the kernel knows is in use.
modules=(vfio-pci nvme virtio_pci 9pnet_virtio 9p ext4)
: > "$tree/etc/modules.load"
for module in "${modules[@]}"; do
  modprobe --show-depends -S "$kver" -d "$kroot" "$module" | while read -r kind path _; do
    [[ $kind == insmod ]] || continue
    rel=${path#"$kroot"}
    grep -qxF "$rel" "$tree/etc/modules.load" && continue
    mkdir -p "$tree$(dirname "$rel")"
    cp "$path" "$tree$rel"
    echo "$rel" >> "$tree/etc/modules.load"
  done
done

# install_with_libraries BINARY NAME: BINARY as /bin/NAME in the tree, with
# every shared library ldd names and the dynamic loader at their absolute
# paths (a library two binaries share is copied once). Debug info is
# stripped: it is most of a Debug binary and the guest never reads it.
install_with_libraries() {
  install -m 0755 "$1" "$tree/bin/$2"
  strip --strip-debug "$tree/bin/$2"
  ldd "$1" | awk '/=> \// {print $3} /^[ \t]*\/.*ld-linux/ {print $1}' | while read -r lib; do
    [[ -e $tree$lib ]] && continue
    mkdir -p "$tree$(dirname "$lib")"
    cp -L "$lib" "$tree$lib"
  done
}
install_with_libraries "$nvqual" nvqual
# Debian's nvme-cli (lib/ensure-host-tools.sh installs it): guest/init reads
# Identify with it through the kernel's nvme driver, to compare with nvqual's.
install_with_libraries /usr/sbin/nvme nvme
# The shipped suites and model profiles, for `nvqual run` in the guest
# (guest/init points NVQUAL_SUITE_DIR here).
source_root=$(cd "$here/../.." && pwd)
mkdir -p "$tree/usr/share/nvqual"
cp -r "$source_root/suites" "$tree/usr/share/nvqual/suites"
cp -r "$source_root/fixtures/models" "$tree/usr/share/nvqual/models"

# Prove the tree is complete (libraries, loader) before a guest finds out.
for check in "nvqual --version" "nvme version"; do
  if (( EUID == 0 )) && ! chroot "$tree" /bin/$check > /dev/null; then
    echo "prepare-guest: \`$check\` does not run inside the initramfs tree $tree (a library missing?)" >&2
    exit 1
  fi
done

# An uncompressed cpio: inflating a gzip one under TCG cost about 0.7 s more
# per boot than loading the extra bytes (measured on the 2-core CI machine).
# -R 0:0: root owns everything in the guest, whoever builds the tree.
(cd "$tree" && find . -print0 | sort -z | cpio --null -o -H newc -R 0:0 --quiet) > "$out/initramfs.cpio"
echo "prepare-guest: kernel $kver, initramfs $(du -h "$out/initramfs.cpio" | cut -f1), modules: $(wc -l < "$tree/etc/modules.load")" >&2
