#!/usr/bin/env bash
# Checks the README's promise on a bare Debian 12: runs the two commands (scripts/run-samples.sh, then
# scripts/test.sh) as root in a chroot made by `mmdebstrap --variant=apt bookworm` (Essential + apt, nothing else)
# and prints "main job: N s, exit X" / "test command: N s, exit Y". Exit 0 only if both pass.
#
# usage: scripts/bare-debian-check.sh [options]          (as root; needs mount, chroot, ~10 GB free disk)
#   --root DIR     where the chroot is unpacked (default: $CK_BARE_ROOT or /tmp/cellkiosk-bare-debian12; never
#                  inside the checkout). It is wiped and unpacked afresh from DIR.tar on every run, unless --reuse.
#   --fresh        bootstrap again with mmdebstrap (refreshes DIR.tar; otherwise a cached DIR.tar is reused)
#   --reuse        use DIR as a previous run left it (packages, build) instead of unpacking a bare root
#   --worktree     copy the working tree (tracked + untracked, not ignored files) instead of a clean `git clone`
#                  of HEAD: checks uncommitted changes
#   --with PATH    copy PATH from the working tree over the clone (repeatable), e.g. --with scripts
#   --mirror M     Debian mirror / sources for mmdebstrap (repeatable; default: deb.debian.org with
#                  bookworm-updates and bookworm-security, as a fresh install has)
#   --run CMD      run CMD (bash -c, in the checkout inside the chroot) instead of the two commands
#   --bootstrap-only   make DIR.tar and a bare DIR, then stop
#   -h, --help     this text
# What is taken from this machine, so that apt and npm reach their registries as they do here: the CA bundle
# /etc/ssl/certs/ca-certificates.crt and /usr/local/share/ca-certificates/* (kept when Debian's ca-certificates
# is installed inside; NODE_EXTRA_CA_CERTS points at the bundle, as on this machine), /etc/resolv.conf, and
# /etc/apt/apt.conf.d files with proxy or Acquire::Check-* settings. Not taken: the host's sources (another
# Node.js, e.g. NodeSource's, would hide what Debian 12 ships).
# Inside, the checkout is /src/cellkiosk with the tests' data at /src/shared (= ../shared beside it, copied from
# the checkout's ../shared). JOBS and CTEST_JOBS are passed through. /proc, /sys, /dev are mounted for the run
# and unmounted on exit (also on error or Ctrl-C).
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; }

ROOT="${CK_BARE_ROOT:-/tmp/cellkiosk-bare-debian12}"
FRESH=0 REUSE=0 WORKTREE=0 BOOTSTRAP_ONLY=0 RUN_CMD=""
WITH=() MIRRORS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$2"; shift ;;
    --root=*) ROOT="${1#*=}" ;;
    --fresh) FRESH=1 ;;
    --reuse) REUSE=1 ;;
    --worktree) WORKTREE=1 ;;
    --with) WITH+=("$2"); shift ;;
    --mirror) MIRRORS+=("$2"); shift ;;
    --run) RUN_CMD="$2"; shift ;;
    --bootstrap-only) BOOTSTRAP_ONLY=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bare-debian-check: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "bare-debian-check: $*" >&2; }
die() { say "$*"; exit 2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap, mount, chroot)"
REPO="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
SHARED="$(cd "$REPO/.." && pwd)/shared"
[ -d "$SHARED/data" ] || die "$SHARED/data is missing (the tests need ../shared/data beside the checkout)"
mkdir -p "$(dirname "$ROOT")"
ROOT="$(cd "$(dirname "$ROOT")" && pwd)/$(basename "$ROOT")"
case "$ROOT/" in
  / | /tmp/ | "$REPO"/* | "$SHARED"/*) die "refusing --root $ROOT (must be a dedicated directory outside the checkout)" ;;
esac
TARBALL="$ROOT.tar"
MARKER="$ROOT/.cellkiosk-bare-root" # only a directory carrying it is ever wiped by this script

# ---- mounts, undone by the trap --------------------------------------------------------------------------
MOUNTED=()
cleanup() {
  local i m
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    m="${MOUNTED[$i]}"
    mountpoint -q "$m" || continue
    umount -R "$m" 2>/dev/null || umount -R -l "$m" 2>/dev/null || say "could not unmount $m"
  done
  MOUNTED=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mount_all() {
  mount -t proc proc "$ROOT/proc"
  MOUNTED+=("$ROOT/proc")
  mount --rbind /sys "$ROOT/sys"
  MOUNTED+=("$ROOT/sys")
  mount --make-rslave "$ROOT/sys"
  mount --rbind /dev "$ROOT/dev" # with /dev/pts and /dev/shm (Chromium needs it)
  MOUNTED+=("$ROOT/dev")
  mount --make-rslave "$ROOT/dev"
}

# Refuses to wipe anything that this script did not unpack (no marker) or that is still mounted.
wipe_root() {
  [ -e "$ROOT" ] || return 0
  if [ -n "$(ls -A "$ROOT")" ] && [ ! -e "$MARKER" ]; then
    die "$ROOT exists and was not made by this script: remove it or choose another --root"
  fi
  if grep -q " $ROOT/" /proc/mounts; then die "something is still mounted under $ROOT"; fi
  rm -rf --one-file-system "$ROOT"
}

# ---- bootstrap: DIR.tar from mmdebstrap (cached), unpacked into a clean DIR ------------------------------
bootstrap() {
  command -v mmdebstrap >/dev/null || {
    say "installing mmdebstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; }
  }
  local aptopts=() f
  for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
    [ -f "$f" ] && grep -qiE 'proxy|Acquire::Check-' "$f" && aptopts+=("--aptopt=$f")
  done
  say "mmdebstrap --variant=apt bookworm $TARBALL ${MIRRORS[*]:-} (${#aptopts[@]} host apt.conf files)"
  local t0=$SECONDS
  rm -f "$TARBALL.part"
  mmdebstrap --quiet --variant=apt --format=tar "${aptopts[@]}" bookworm "$TARBALL.part" "${MIRRORS[@]}"
  mv "$TARBALL.part" "$TARBALL"
  say "bootstrap: $((SECONDS - t0)) s, $(du -h "$TARBALL" | cut -f1)"
}

unpack() {
  wipe_root
  mkdir -p "$ROOT"
  touch "$MARKER"
  tar --numeric-owner -xpf "$TARBALL" -C "$ROOT"
  # This machine's CA bundle and local CAs (update-ca-certificates keeps the latter when ca-certificates is
  # installed inside) and its resolver.
  mkdir -p "$ROOT/etc/ssl/certs" "$ROOT/usr/local/share/ca-certificates"
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cp -L /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/"
  if [ -d /usr/local/share/ca-certificates ]; then cp -rL /usr/local/share/ca-certificates/. "$ROOT/usr/local/share/ca-certificates/"; fi
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
  [ -f "$ROOT/etc/hosts" ] || printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"
  say "bare Debian $(cat "$ROOT/etc/debian_version") in $ROOT"
}

if [ "$FRESH" = 1 ] || [ ! -f "$TARBALL" ]; then bootstrap; fi
if [ "$REUSE" = 1 ] && [ -e "$MARKER" ]; then
  say "reusing $ROOT as the last run left it"
else
  unpack
fi
[ "$BOOTSTRAP_ONLY" = 1 ] && exit 0

# ---- the checkout and ../shared --------------------------------------------------------------------------
SRC="$ROOT/src/cellkiosk"
rm -rf "$SRC" "$ROOT/src/shared"
mkdir -p "$ROOT/src"
if [ "$WORKTREE" = 1 ]; then
  say "copying the working tree of $REPO (tracked + untracked, not ignored)"
  mkdir -p "$SRC"
  (cd "$REPO" && git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' p; do [ -e "$p" ] && printf '%s\0' "$p"; done |
    tar --null -T - -cf -) | tar -xf - -C "$SRC"
else
  say "git clone $REPO ($(git -C "$REPO" rev-parse --short HEAD))"
  git clone -q --no-hardlinks "$REPO" "$SRC"
  for p in "${WITH[@]}"; do
    (cd "$REPO" && tar -cf - --exclude=node_modules "$p") | tar -xf - -C "$SRC"
    say "  with the working tree's $p"
  done
fi
cp -a "$SHARED" "$ROOT/src/shared"

# ---- run inside --------------------------------------------------------------------------------------------
mount_all
in_root() {
  # shellcheck disable=SC2016 # $1 expands inside the chroot's bash
  chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM="${TERM:-dumb}" NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    ${JOBS:+JOBS=$JOBS} ${CTEST_JOBS:+CTEST_JOBS=$CTEST_JOBS} \
    /bin/bash -c 'cd /src/cellkiosk && eval "$1"' in-root "$1"
}

if [ -n "$RUN_CMD" ]; then
  rc=0
  in_root "$RUN_CMD" || rc=$?
  exit "$rc"
fi

timed() { # name command -> prints "name: N s, exit X", returns X
  local t0=$SECONDS rc=0
  say "---- $1: $2"
  in_root "$2" || rc=$?
  RESULTS+=("$1: $((SECONDS - t0)) s, exit $rc")
  return "$rc"
}
RESULTS=()
main_rc=0 test_rc=0
timed "main job" "scripts/run-samples.sh" || main_rc=$?
timed "test command" "scripts/test.sh" || test_rc=$?
printf '%s\n' "${RESULTS[@]}"
[ "$main_rc" = 0 ] && [ "$test_rc" = 0 ]
