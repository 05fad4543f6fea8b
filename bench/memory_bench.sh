#!/usr/bin/env bash
# Peak memory (RSS) when cellkiosk is handed inputs meant to exhaust it, measured, not asserted:
#   1. `segment` on a zip whose member inflates to 1 GiB (an uncompressed 32768x32768 uint8 TIFF, ~1 MB zipped):
#      the member is refused from its header after the first 64 KiB are inflated;
#   2. `segment` on a 30000x30000 PNG (a ~1 MB file): refused from its header before decoding;
#   3. `serve` receiving an upload that announces 5 GiB: answered 413 from Content-Length, no body byte read.
# Usage: bench/memory_bench.sh [BUILD_DIR]      (needs /usr/bin/python3 with numpy, tifffile; ~1.2 GB of /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
CK="$(realpath "${1:-build}/src/cli/cellkiosk")"
WORK="$(mktemp -d)"
cleanup() { [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
echo "machine: $(uname -n), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

/usr/bin/python3 - "$WORK" <<'PY'
import sys, zipfile, zlib, struct, numpy as np, tifffile
w = sys.argv[1]
# 1 GiB uncompressed TIFF (tifffile writes its IFD before the pixel data), zipped with deflate
tifffile.imwrite(f"{w}/huge.tif", np.zeros((32768, 32768), np.uint8))
with zipfile.ZipFile(f"{w}/bomb.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    z.write(f"{w}/huge.tif", "plate/huge.tif")
    z.writestr("plate/ok.png", open("data/samples/images/" + __import__("os").listdir("data/samples/images")[0], "rb").read())
import os; os.remove(f"{w}/huge.tif")
# 30000x30000 gray PNG of zeros, written row by row
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
c = zlib.compressobj(9); body = b""
row = b"\x00" * 30001
for _ in range(30000): body += c.compress(row)
body += c.flush()
open(f"{w}/huge.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)) + chunk(b"IDAT", body) + chunk(b"IEND", b""))
PY
printf "bomb.zip: %s bytes; huge.png: %s bytes\n" "$(stat -c %s "$WORK/bomb.zip")" "$(stat -c %s "$WORK/huge.png")"

peak() { /usr/bin/time -f "%M" "$@" 2> "$WORK/time.txt" >/dev/null || true; tail -1 "$WORK/time.txt"; }
base=$(peak "$CK" segment "data/samples/images/$(ls data/samples/images | head -1)" -o "$WORK/o0" -q)
echo "reference: segment on one 256x320 sample: peak RSS $((base / 1024)) MiB"
kb=$(peak "$CK" segment "$WORK/bomb.zip" -o "$WORK/o1" -q)
echo "1 GiB zip member: peak RSS $((kb / 1024)) MiB; $(python3 -c "import json;s=json.load(open('$WORK/o1/summary.json'));print([e['reason'] for e in s['input_errors']])")"
kb=$(peak "$CK" segment "$WORK/huge.png" -o "$WORK/o2" -q)
echo "30000x30000 PNG: peak RSS $((kb / 1024)) MiB; $(python3 -c "import json;s=json.load(open('$WORK/o2/summary.json'));print([i.get('reason') for i in s['images']])")"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$CK" serve --port "$PORT" --data "$WORK/serve" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/api/health-check" >/dev/null && break; sleep 0.2; done
before=$(grep VmRSS /proc/$SERVE_PID/status | awk '{print $2}')
python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t0 = time.time()
s.sendall(b"POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
          b"Content-Length: 5368709120\r\n\r\n" + b"x" * 65536)
resp = s.recv(4096).decode(errors="replace")
print(f"5 GiB upload: answered in {1000*(time.time()-t0):.1f} ms: {resp.splitlines()[0]} {resp.split(chr(10))[-1]}")
PY
echo "serve RSS before $((before / 1024)) MiB, peak $(( $(grep VmHWM /proc/$SERVE_PID/status | awk '{print $2}') / 1024 )) MiB"
