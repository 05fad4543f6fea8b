#!/usr/bin/env bash
# Installs dependencies (apt, idempotent) and builds cellkiosk in ./build (Release, Ninja, 2 jobs by default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
JOBS="${JOBS:-$(nproc)}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$JOBS"
