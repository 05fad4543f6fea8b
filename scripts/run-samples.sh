#!/usr/bin/env bash
# The main job on the bundled real data: install (build + run deps only, no test stack), build the `cellkiosk`
# command, segment data/samples/images with the shipped model, then score the result against the bundled ground truth.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=cellkiosk bash scripts/build.sh   # tests/benchmarks OFF: only the command (the suite builds in scripts/test.sh)
OUT="${OUT:-out/samples}"
./build/src/cli/cellkiosk segment data/samples/images -o "$OUT" --overlay
./build/src/cli/cellkiosk evaluate "$OUT" data/samples/masks
echo "label images, per-object CSVs, overlays and summary.json are in $OUT/"
