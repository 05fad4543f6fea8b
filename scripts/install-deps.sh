#!/usr/bin/env bash
# Installs cellkiosk's dependencies from Debian's apt (Debian 12). Idempotent: installed packages are skipped.
#   scripts/install-deps.sh           build + run: compiler, CMake, LibTorch and the libraries, redis-server
#                                     (for `cellkiosk serve --redis`). Used by scripts/run-samples.sh.
#   scripts/install-deps.sh --tests   the above, plus what only the test suite needs: GoogleTest/benchmark,
#                                     python3-skimage & co. (oracles), Chromium + Node.js + playwright-core
#                                     (`npm ci` in tests/web). Used by scripts/test.sh.
set -euo pipefail

usage() { sed -n '2,7s/^# \{0,1\}//p' "$0"; }

TESTS=0
for a in "$@"; do
  case "$a" in
    --tests) TESTS=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-deps: unknown option '$a'" >&2; usage >&2; exit 2 ;;
  esac
done

# Building and running `cellkiosk` (libopenblas0-pthread: LibTorch's BLAS, chosen explicitly).
MAIN_PKGS=(
  build-essential cmake ninja-build pkg-config git
  libtorch-dev libopenblas0-pthread libjemalloc-dev libjemalloc2
  libtiff-dev libpng-dev zlib1g-dev libjpeg62-turbo-dev
  libopencv-core-dev libopencv-imgproc-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libarchive-dev
  libhiredis-dev redis-server libcpp-httplib-dev libssl-dev
)
# Only the test suite and benchmarks (CK_BUILD_TESTS / CK_BUILD_BENCH, the Python oracles, the browser test).
TEST_PKGS=(
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-scipy python3-skimage python3-tifffile
  python3-torch python3-onnx
  python3-jsonschema python3-shapely libij-java default-jre-headless  # GeoJSON / ImageJ ROI output checks
  chromium fonts-dejavu-core nodejs
)

PKGS=("${MAIN_PKGS[@]}")
[ "$TESTS" = 1 ] && PKGS+=("${TEST_PKGS[@]}")

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
what="build + run"
[ "$TESTS" = 1 ] && what="build + run + tests"
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages ($what) already installed"
else
  echo "install-deps: installing ${#missing[@]} packages ($what): ${missing[*]}"
  apt_install "${missing[@]}"
  echo "install-deps: done"
fi

[ "$TESTS" = 1 ] || exit 0

# The browser test's playwright-core: tests/web/node_modules, exactly the version in the committed
# package-lock.json (pinned to a release whose engines.node accepts Debian 12's Node 18). It drives Debian's
# /usr/bin/chromium and never downloads a browser. Reinstalled when the lock file names another version.
WEB="$(cd "$(dirname "$0")/../tests/web" && pwd)"
web_ok() {
  (cd "$WEB" && node -e '
    const want = require("./package-lock.json").packages["node_modules/playwright-core"].version;
    const have = require("./node_modules/playwright-core/package.json").version;
    process.exit(want === have ? 0 : 1);' 2>/dev/null)
}
if ! web_ok; then
  # Debian's npm (node-* packages); skipped where another nodejs build already ships npm.
  command -v npm >/dev/null || apt_install npm
  echo "install-deps: npm ci in tests/web"
  npm ci --prefix "$WEB" --no-audit --no-fund
fi
# Fails here, with Playwright's own message, if this node is older than playwright-core accepts.
(cd "$WEB" && node -e 'require("playwright-core")') ||
  { echo "install-deps: node $(node --version) cannot load tests/web's playwright-core" >&2; exit 1; }
