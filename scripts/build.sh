#!/usr/bin/env bash
# Installs dependencies (apt, idempotent) and builds cellkiosk in ./build (Release, Ninja, one job per core).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
JOBS="${JOBS:-$(nproc)}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
# TARGETS: space-separated targets to build (default: everything, tests and benchmarks included)
if [ -n "${TARGETS:-}" ]; then
  # shellcheck disable=SC2086
  cmake --build build -j "$JOBS" --target $TARGETS
else
  cmake --build build -j "$JOBS"
fi
