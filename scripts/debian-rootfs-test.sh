#!/usr/bin/env bash
# Run the CI entry point (bash .ci/run: system packages, venv, the whole suite) on another
# Debian release, in a chroot on its own root filesystem:
#
#   scripts/debian-rootfs-test.sh SUITE ROOT [REPO]      e.g.  trixie /srv/deb13
#
# As root, with debootstrap installed (apt-get install debootstrap). ROOT is made once
# (debootstrap --variant=minbase, from the first mirror of this machine's apt sources, or
# $MIRROR) and kept for later runs; REPO (default: this clone) is cloned afresh into
# ROOT/root/kehoach at its HEAD; .ci/run runs there as root with CI=true under nice, in a
# bare environment. The log is ROOT/root/ci.log, its last line "rc=N elapsed=Ss". This
# machine's CA certificates and system-wide pip configuration are copied into the chroot,
# so it reaches the package registries as this machine does. Mounts are undone at exit.
set -euo pipefail

suite=${1:?usage: $0 SUITE ROOT [REPO]}
root=${2:?usage: $0 SUITE ROOT [REPO]}
repo=${3:-$(cd "$(dirname "$0")/.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap and chroot need it)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "install debootstrap: apt-get install debootstrap" >&2; exit 3; }

mirror=${MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)}
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "no apt mirror found in this machine's sources: set MIRROR" >&2; exit 1; }

if [ ! -f "$root/etc/os-release" ]; then
  nice -n 10 debootstrap --variant=minbase --include=git,make,python3,python3-venv,ca-certificates \
    "$suite" "$root" "$mirror"
fi

mounted=()
bind() {  # bind SOURCE TARGET [ro]
  mkdir -p "$2"
  mountpoint -q "$2" && return 0
  mount --bind "$1" "$2"
  [ "${3:-}" = ro ] && mount -o remount,bind,ro "$2"
  mounted+=("$2")
}
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" || true; done
}
trap cleanup EXIT

bind /proc "$root/proc"
bind /sys "$root/sys"
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
mkdir -p "$root/dev/shm"
if ! mountpoint -q "$root/dev/shm"; then   # chromium needs a shared-memory folder
  mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
  mounted+=("$root/dev/shm")
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# services installed by apt inside the chroot are not started (the tests start their own)
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
if [ -d /usr/local/share/ca-certificates ]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$root/etc/pip.conf"
if [ -d /etc/xdg/pip ]; then mkdir -p "$root/etc/xdg"; cp -r /etc/xdg/pip "$root/etc/xdg/"; fi

rm -rf "$root/root/kehoach"
git clone -q "$repo" "$root/root/kehoach"
echo "$(git -C "$root/root/kehoach" log --oneline -1) on $(. "$root/etc/os-release"; echo "$PRETTY_NAME")"
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 CI=true bash -c 'cd /root/kehoach && start=$(date +%s);
    nice -n 10 bash .ci/run > /root/ci.log 2>&1; rc=$?;
    echo "rc=$rc elapsed=$(( $(date +%s) - start ))s" >> /root/ci.log; exit $rc' || true
tail -n 3 "$root/root/ci.log"
