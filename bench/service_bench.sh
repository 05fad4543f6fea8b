#!/usr/bin/env bash
# Throughput of the service path (submit -> Redis queue -> consumer -> bucket -> download) against in-process
# `cellkiosk segment` on the same images and the same cores, measured in one run (the machine is shared and noisy).
# Usage: bench/service_bench.sh [BUILD_DIR] [N_IMAGES] [WORKERS]   (defaults: build, 103, consumer default)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
N="${2:-103}"
WORKERS="${3:-0}"
DATA="${CK_DATA:-../shared/data/dsb2018-fluo}"
CK="$(realpath "$BUILD/src/cli/cellkiosk")"
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() {
  [ -n "${CONSUMER_PID:-}" ] && kill "$CONSUMER_PID" 2>/dev/null && wait "$CONSUMER_PID" 2>/dev/null || true
  [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/images"
head -n "$N" "$DATA/splits/test.txt" | while read -r id; do ln -s "$(realpath "$DATA/images/$id.png")" "$WORK/images/$id.png"; done
echo "machine: $(uname -n), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $N images"

redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
URL="redis://127.0.0.1:$PORT"

now() { date +%s.%N; }
# 1. In-process reference (process start and model load included, as for the service's submit).
t0=$(now); "$CK" segment "$WORK/images" -o "$WORK/out-segment" -q; t1=$(now)
SEG=$(python3 -c "print($t1-$t0)")

# 2. Service path with a warm consumer on the same machine (its model is loaded before the clock starts).
"$CK" consumer --queue segmentation --redis "$URL" --bucket "$WORK/bucket" --workers "$WORKERS" >"$WORK/consumer.log" 2>&1 &
CONSUMER_PID=$!
for _ in $(seq 100); do grep -q "worker(s) on queue" "$WORK/consumer.log" && break; sleep 0.1; done
t0=$(now); "$CK" submit --redis "$URL" --bucket "$WORK/bucket" "$WORK/images" -o "$WORK/out-service" -q; t1=$(now)
SVC=$(python3 -c "print($t1-$t0)")

python3 - "$SEG" "$SVC" "$N" "$WORK" <<'PY'
import json, sys, glob, os
seg, svc, n, work = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
a = sorted(glob.glob(os.path.join(work, "out-segment", "*_labels.tif")))
b = sorted(glob.glob(os.path.join(work, "out-service", "*_labels.tif")))
same = sum(open(x, "rb").read() == open(os.path.join(work, "out-service", os.path.basename(x)), "rb").read()
           for x in a if os.path.exists(os.path.join(work, "out-service", os.path.basename(x))))
print(f"segment (in-process): {seg:6.2f} s  {n/seg:6.2f} images/s")
print(f"service (submit):     {svc:6.2f} s  {n/svc:6.2f} images/s")
print(f"service / in-process throughput ratio: {seg/svc:.3f}  (goal >= 0.9)")
print(f"label images byte-identical: {same}/{len(a)}")
PY
grep -m1 "worker(s)" "$WORK/consumer.log" | sed 's/^.*consumer/consumer/'
