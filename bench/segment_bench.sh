#!/usr/bin/env bash
# End-to-end benchmark of `cellkiosk segment` on the DSB 2018 test split (103 images): throughput (MP/s),
# the time share of each stage, and accuracy against the ground truth.
# Usage: bench/segment_bench.sh [BUILD_DIR] [N_IMAGES]      (defaults: build, all 103)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
N="${2:-103}"
DATA="${CK_DATA:-../shared/data/dsb2018-fluo}"
CK="$BUILD/src/cli/cellkiosk"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/images" "$WORK/masks"
head -n "$N" "$DATA/splits/test.txt" | while read -r id; do
  ln -s "$(realpath "$DATA/images/$id.png")" "$WORK/images/$id.png"
  ln -s "$(realpath "$DATA/masks/$id.png")" "$WORK/masks/$id.png"
done
echo "machine: $(uname -n), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$CK" segment "$WORK/images" -o "$WORK/out" -q
"$CK" evaluate "$WORK/out" "$WORK/masks" --json > "$WORK/eval.json"
python3 - "$WORK/out/summary.json" "$WORK/eval.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
t = s["totals"]; st = t["stage_s"]; busy = sum(st.values())
print(f"images: {t['done']} done, {t['failed']} failed; {t['objects']} objects; {t['megapixels']:.2f} MP")
print(f"wall: {t['wall_s']:.1f} s  ->  {t['megapixels_per_s']:.3f} MP/s, {t['done']/t['wall_s']:.2f} images/s")
print("stage time (s, summed over images; stages overlap across images on different threads):")
for k, v in st.items():
    print(f"  {k:12s} {v:8.2f} s  {100*v/busy:5.1f} %")
print(f"accuracy: F1@0.5 = {e['f1']:.4f}  precision = {e['precision']:.4f}  recall = {e['recall']:.4f}  mean AP(0.5:0.95) = {e['mean_ap']:.4f}")
PY
