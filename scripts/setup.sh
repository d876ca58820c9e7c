#!/bin/sh
# Install everything sevboot needs to build, test and run its test host, from
# Debian 12 packages.  Idempotent: installs only what is missing.  Run as
# root (or with sudo available).
#   scripts/setup.sh          the build, test and test-host packages
#   scripts/setup.sh edk2     what building OVMF from Debian's edk2 source
#                             needs (firmware-blobs/get-ovmf-amdsev's
#                             fallback): the source package's own
#                             Build-Depends for an X64 build
set -eu

case "${1:-}" in
"")
	PKGS="build-essential pkg-config libssl-dev libelf-dev check libseccomp-dev \
libcurl4-openssl-dev libcurl4 python3 \
clang libclang-rt-14-dev \
qemu-system-x86 busybox-static cpio xz-utils ovmf time ca-certificates strace openssl \
man-db groff-base gnuplot-nox" ;;
edk2)
	PKGS="build-essential dpkg-dev nasm acpica-tools uuid-dev python3 \
python3-distutils bc" ;;
*)
	echo "setup: unknown package set '$1' (give none, or edk2)" >&2
	exit 2 ;;
esac

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "setup: all packages present${1:+ ($1)}"
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
