#!/bin/bash
# Installs the Debian packages the QEMU stage needs, only when one is missing.
# apt-get update runs only when something has to be installed.
set -euo pipefail

# command -> Debian package that provides it
declare -A needed=(
  [qemu-system-x86_64]=qemu-system-x86
  [cpio]=cpio
  [modprobe]=kmod
  [dpkg-deb]=dpkg
)
missing=()
for tool in "${!needed[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${needed[$tool]}")
done
# busybox-static is checked by file: the guest needs the static build, and a
# dynamic busybox on PATH would not do.
[[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1 || missing+=(busybox-static)
# nvme-cli is checked by its path, which prepare-guest.sh copies into the guest
# (a user's PATH may lack /usr/sbin).
[[ -x /usr/sbin/nvme ]] || missing+=(nvme-cli)
# run-e2e.py reads the simulator profiles (fixtures/sim/*.yaml) with PyYAML.
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)

if (( ${#missing[@]} == 0 )); then
  exit 0
fi
if (( EUID != 0 )); then
  echo "qemu-e2e: missing Debian packages: ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
  exit 1
fi
echo "qemu-e2e: installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
