#!/usr/bin/env bash
# The whole test suite: install (build + run + test deps: install-deps.sh --tests), build everything,
# run CTest (GoogleTest cases, the scikit-image oracle, CLI end-to-end, the browser test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --tests
ctest --test-dir build --output-on-failure -j "${CTEST_JOBS:-2}" "$@"
