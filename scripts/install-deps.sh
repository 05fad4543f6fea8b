#!/usr/bin/env bash
# Installs every build, test and runtime dependency of cellkiosk from Debian's apt.
# Idempotent: packages already present are skipped by apt; safe to run again.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git
  libtorch-dev libjemalloc-dev libjemalloc2
  libtiff-dev libpng-dev zlib1g-dev
  libopencv-core-dev libopencv-imgproc-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libarchive-dev
  libhiredis-dev redis-server libcpp-httplib-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-scipy python3-skimage python3-tifffile
  python3-torch python3-onnx
  chromium fonts-dejavu-core nodejs
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# The browser test's playwright-core (tests/web/node_modules, from the committed package-lock.json; it drives
# Debian's /usr/bin/chromium and never downloads a browser).
web_deps() {
  [ -d "$(dirname "$0")/../tests/web/node_modules/playwright-core" ] && return 0
  command -v npm >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
  npm ci --prefix "$(dirname "$0")/../tests/web" --no-audit --no-fund
}

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages already installed"
  web_deps
  exit 0
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" libopenblas0-pthread >/dev/null
echo "install-deps: done"
web_deps
