#!/usr/bin/env bash
# Installs dependencies (apt, idempotent) and builds cellkiosk in ./build (Release, Ninja, one job per core).
#   scripts/build.sh [cmake args...]          build + run deps only; configures -DCK_BUILD_TESTS=OFF -DCK_BUILD_BENCH=OFF
#   scripts/build.sh --tests [cmake args...]  also the test deps (install-deps.sh --tests); tests and benchmarks ON
# Both set the two options explicitly, so ./build (shared by the two commands) is reconfigured when they alternate.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--tests" ]; then
  shift
  bash scripts/install-deps.sh --tests
  OPTS=(-DCK_BUILD_TESTS=ON -DCK_BUILD_BENCH=ON)
else
  bash scripts/install-deps.sh
  OPTS=(-DCK_BUILD_TESTS=OFF -DCK_BUILD_BENCH=OFF)
fi
JOBS="${JOBS:-$(nproc)}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${OPTS[@]}" "$@" >/dev/null
# TARGETS: space-separated targets to build (default: everything configured)
if [ -n "${TARGETS:-}" ]; then
  # shellcheck disable=SC2086
  cmake --build build -j "$JOBS" --target $TARGETS
else
  cmake --build build -j "$JOBS"
fi
