#!/usr/bin/env bash
# The whole test suite: install, build, run CTest (GoogleTest cases, the scikit-image oracle, CLI end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "${CTEST_JOBS:-2}" "$@"
