#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (ASan + UBSan, Debian's clang) and runs each for a while; see --help.
set -uo pipefail

usage() {
  cat <<'EOF'
Usage: fuzz/run.sh [options]

Builds the libFuzzer targets (clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined
-fno-sanitize-recover=undefined), straight from the needed sources (no CMake), into fuzz/build/; writes seed
corpora to fuzz/work/seeds/ (fuzz/make_seeds.py: generated TIFF/PNG/JPEG/zip/text seeds, the bundled samples in
data/samples/, image and zip files under tests/, and the kept crash inputs of fuzz/regressions/); then runs every
target for --seconds with -rss_limit_mb=2048 -timeout=10, --parallel processes at a time (-jobs/-workers), all
under `nice -n 10`. New corpus units go to fuzz/work/corpus/<target>/, crash-*/oom-*/timeout-*/leak-* inputs to
fuzz/work/artifacts/<target>/, logs to fuzz/work/logs/<target>/.

Prints per target: CPU seconds, executions (libFuzzer's final stats) and crashes found in this run.
Exit status: 0 no crash, 1 a target found a crash/oom/timeout/leak, 2 usage or build error.

Options:
  --seconds N      fuzzing time per target, in seconds (default 60; 0 = build and seed only)
  --parallel P     fuzzer processes at a time, also the build's parallelism (default 2)
  --targets LIST   comma or space separated subset of: decode probe zip axes request (default: all)
  --build-only     build the targets, do not seed or run them
  --keep-going     libFuzzer's fork mode (-fork=P -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1) instead
                   of -jobs/-workers: a crash does not end the target's run, every crash found is kept
  --regressions    run each target once over its fuzz/regressions/<target>/ inputs (no fuzzing) and stop
  --clean          remove fuzz/build/ first (full rebuild)
  -h, --help       this text

Environment: CXX (default clang++), PYTHON (default /usr/bin/python3, else python3), FUZZ_EXTRA_ARGS (more
libFuzzer flags, e.g. "-max_len=65536").
Example (the long run, 5 targets x 720 s x 2 processes = 2 CPU-hours, 1 hour of wall time):
  fuzz/run.sh --seconds 720 --parallel 2
Reproduce a crash:  fuzz/build/<target>_fuzzer fuzz/work/artifacts/<target>/crash-...
Minimize it:        fuzz/build/<target>_fuzzer -minimize_crash=1 -runs=10000 -exact_artifact_path=OUT crash-...
EOF
}

ALL_TARGETS="decode probe zip axes request"
SECONDS_PER_TARGET=60
PARALLEL=2
TARGETS="$ALL_TARGETS"
BUILD_ONLY=0
REGRESSIONS_ONLY=0
KEEP_GOING=0
CLEAN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_TARGET="${2:-}"; shift 2 ;;
    --seconds=*) SECONDS_PER_TARGET="${1#*=}"; shift ;;
    --parallel) PARALLEL="${2:-}"; shift 2 ;;
    --parallel=*) PARALLEL="${1#*=}"; shift ;;
    --targets) TARGETS="${2:-}"; shift 2 ;;
    --targets=*) TARGETS="${1#*=}"; shift ;;
    --build-only) BUILD_ONLY=1; shift ;;
    --regressions) REGRESSIONS_ONLY=1; shift ;;
    --keep-going) KEEP_GOING=1; shift ;;
    --clean) CLEAN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
TARGETS="${TARGETS//,/ }"
[[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || { echo "run.sh: --seconds needs a whole number" >&2; exit 2; }
[[ "$PARALLEL" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --parallel needs a number >= 1" >&2; exit 2; }
for t in $TARGETS; do
  [[ " $ALL_TARGETS " == *" $t "* ]] || { echo "run.sh: unknown target '$t' (known: $ALL_TARGETS)" >&2; exit 2; }
done

FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$FUZZ_DIR/.." && pwd)"
BUILD="$FUZZ_DIR/build"
WORK="$FUZZ_DIR/work"
CXX="${CXX:-clang++}"
NICE=(nice -n 10)
cd "$ROOT" || exit 2

# ---------------------------------------------------------------- build

CXXFLAGS=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
          -fno-omit-frame-pointer -I "$ROOT/src" -I "$FUZZ_DIR")
# pkg-config names on Debian: libtiff-4, libpng (libpng16), libjpeg (libjpeg62-turbo), zlib, libarchive,
# nlohmann_json (header only)
LIBS=()
if command -v pkg-config >/dev/null && pkg-config --exists libtiff-4 libpng libjpeg zlib libarchive 2>/dev/null; then
  read -r -a PC_CFLAGS <<<"$(pkg-config --cflags libtiff-4 libpng libjpeg zlib libarchive)"
  read -r -a LIBS <<<"$(pkg-config --libs libtiff-4 libpng libjpeg zlib libarchive)"
  CXXFLAGS+=("${PC_CFLAGS[@]}")
  if pkg-config --exists nlohmann_json 2>/dev/null; then
    read -r -a NJ <<<"$(pkg-config --cflags nlohmann_json)"
    CXXFLAGS+=("${NJ[@]}")
  fi
else
  echo "run.sh: pkg-config does not know libtiff-4/libpng/libjpeg/zlib/libarchive; linking -ltiff -lpng -ljpeg -lz -larchive" >&2
  LIBS=(-ltiff -lpng -ljpeg -lz -larchive)
fi

# Sources of each target (beyond fuzz/<target>_fuzzer.cpp); the image library is linked from an archive so a
# target pulls only the objects it uses.
IMAGE_SRCS=(src/image/*.cpp)
declare -A TARGET_SRCS=(
  [decode]=""
  [probe]=""
  [axes]=""
  [zip]="src/pipeline/zip_archive.cpp"
  [request]="src/jobs/segment_request.cpp src/jobs/job.cpp"
)
declare -A TARGET_DICT=([decode]=decode [probe]=decode [zip]=zip [axes]=axes [request]=request)

# Echoes 1 when $1 (an object with a -MMD .d file next to it) is missing or older than any of its dependencies.
stale() {
  local obj="$1" dep="${1%.o}.d" f
  [ -f "$obj" ] && [ -f "$dep" ] || { echo 1; return; }
  for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
    if [ ! -e "$f" ] || [ "$f" -nt "$obj" ]; then echo 1; return; fi
  done
  echo 0
}

BUILD_FAILED=0
declare -a RUNNING=()
# Runs "$@" in the background, at most $PARALLEL at once; a failure sets BUILD_FAILED.
spawn() {
  while [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]; do wait -n || BUILD_FAILED=1; done
  "$@" &
}
drain() {
  while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || BUILD_FAILED=1; done
  wait || true
}

compile() {  # compile SRC OBJ
  local src="$1" obj="$2"
  echo "  CXX $src"
  "${NICE[@]}" "$CXX" "${CXXFLAGS[@]}" -MMD -MF "${obj%.o}.d" -c "$ROOT/$src" -o "$obj" 2>"${obj%.o}.log" || {
    cat "${obj%.o}.log" >&2
    echo "run.sh: compiling $src failed" >&2
    return 1
  }
}

obj_of() {  # object path of a source path
  local s="${1//\//_}"
  echo "$BUILD/obj/${s%.cpp}.o"
}

build() {
  command -v "$CXX" >/dev/null || { echo "run.sh: $CXX not found (apt-get install clang)" >&2; return 1; }
  [ "$CLEAN" = 1 ] && rm -rf "$BUILD"
  mkdir -p "$BUILD/obj"
  # the compiler and flags are part of every object: rebuild all when they change
  local stamp="$BUILD/flags.txt" now
  now="$("$CXX" --version | head -1) ${CXXFLAGS[*]}"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$now" ]; then rm -f "$BUILD"/obj/*.o; fi
  echo "$now" >"$stamp"
  echo "Building fuzz targets ($CXX, $PARALLEL at a time) into fuzz/build/"
  local srcs=("${IMAGE_SRCS[@]}") t s
  for t in $TARGETS; do
    srcs+=("fuzz/${t}_fuzzer.cpp")
    for s in ${TARGET_SRCS[$t]}; do srcs+=("$s"); done
  done
  local uniq
  uniq="$(printf '%s\n' "${srcs[@]}" | sort -u)"
  BUILD_FAILED=0
  for s in $uniq; do
    [ "$(stale "$(obj_of "$s")")" = 1 ] && spawn compile "$s" "$(obj_of "$s")"
  done
  drain
  [ "$BUILD_FAILED" = 0 ] || return 1
  local image_objs=() lib="$BUILD/libck_image_fuzz.a"
  for s in "${IMAGE_SRCS[@]}"; do image_objs+=("$(obj_of "$s")"); done
  local newest_lib=0
  for s in "${image_objs[@]}"; do [ "$s" -nt "$lib" ] && newest_lib=1; done
  if [ "$newest_lib" = 1 ] || [ ! -f "$lib" ]; then
    rm -f "$lib"
    ar rcs "$lib" "${image_objs[@]}" || return 1
  fi
  for t in $TARGETS; do
    local objs=("$(obj_of "fuzz/${t}_fuzzer.cpp")") bin="$BUILD/${t}_fuzzer" relink=0
    for s in ${TARGET_SRCS[$t]}; do objs+=("$(obj_of "$s")"); done
    for s in "${objs[@]}" "$lib"; do [ "$s" -nt "$bin" ] && relink=1; done
    [ -x "$bin" ] || relink=1
    if [ "$relink" = 1 ]; then
      echo "  LINK fuzz/build/${t}_fuzzer"
      spawn "${NICE[@]}" "$CXX" "${CXXFLAGS[@]}" "${objs[@]}" "$lib" "${LIBS[@]}" -o "$bin"
    fi
  done
  drain
  [ "$BUILD_FAILED" = 0 ]
}

build || { echo "run.sh: build failed" >&2; exit 2; }
[ "$BUILD_ONLY" = 1 ] && { echo "Built: $(for t in $TARGETS; do printf 'fuzz/build/%s_fuzzer ' "$t"; done)"; exit 0; }

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# ---------------------------------------------------------------- regressions only

if [ "$REGRESSIONS_ONLY" = 1 ]; then
  status=0
  for t in $TARGETS; do
    dir="$FUZZ_DIR/regressions/$t"
    n=$(find "$dir" -type f 2>/dev/null | wc -l)
    if [ "$n" = 0 ]; then printf '%-8s no regression inputs\n' "$t"; continue; fi
    if "${NICE[@]}" "$BUILD/${t}_fuzzer" -rss_limit_mb=2048 -timeout=10 $(find "$dir" -type f | sort) \
        >"$BUILD/${t}_regressions.log" 2>&1; then
      printf '%-8s %d regression input(s) pass\n' "$t" "$n"
    else
      printf '%-8s FAILED on a regression input (see fuzz/build/%s_regressions.log)\n' "$t" "$t"
      status=1
    fi
  done
  exit $status
fi

# ---------------------------------------------------------------- seeds

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON="$(command -v python3 || true)"; fi
fi
SEEDS="$WORK/seeds"
mkdir -p "$WORK"
echo "Writing seeds to fuzz/work/seeds/"
if [ -n "$PYTHON" ] && "${NICE[@]}" "$PYTHON" "$FUZZ_DIR/make_seeds.py" "$SEEDS" "$ROOT/data/samples/images" \
    "$ROOT/data/samples/masks" | sed 's/^/  /'; then
  :
else
  echo "run.sh: no python3 (or make_seeds.py failed): minimal hand-written seeds only" >&2
  rm -rf "$SEEDS"
  for t in $ALL_TARGETS; do mkdir -p "$SEEDS/$t"; done
  printf 'II*\0\10\0\0\0\1\0\0\1\3\0\1\0\0\0\1\0\0\0\0\0\0\0' >"$SEEDS/decode/tiny.tif"
  printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\0\0\0\0:~\233U\0\0\0\nIDATx\234c`\0\0\0\2\0\1H\257\244q\0\0\0\0IEND\256B`\202' >"$SEEDS/decode/tiny.png"
  printf '\377\330\377\340\0\20JFIF\0\1\1\0\0\1\0\1\0\0\377\331' >"$SEEDS/decode/tiny.jpg"
  cp "$SEEDS"/decode/* "$SEEDS/probe/"
  printf 'PK\5\6\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' >"$SEEDS/zip/empty.zip"
  printf 'ImageJ=1.54f\nimages=6\nchannels=2\nslices=3\n' >"$SEEDS/axes/imagej.txt"
  printf '<OME><Pixels DimensionOrder="XYCZT" SizeC="2" SizeZ="1" SizeT="1"/></OME>' >"$SEEDS/axes/ome.xml"
  printf '{"dataRescale": "2", "dataLabel": 1, "outputs": ["overlay"]}' >"$SEEDS/request/body.json"
  printf 'model_name=nuclear\nscale=2\nlabel=1\n' >"$SEEDS/request/fields.txt"
fi
# image and zip files of the tests (fixtures), if any
while IFS= read -r -d '' f; do
  case "${f,,}" in
    *.zip) cp "$f" "$SEEDS/zip/test_$(basename "$f")"; cp "$f" "$SEEDS/probe/test_$(basename "$f")" ;;
    *) cp "$f" "$SEEDS/decode/test_$(basename "$f")"; cp "$f" "$SEEDS/probe/test_$(basename "$f")" ;;
  esac
done < <(find "$ROOT/tests" -path "$ROOT/tests/web/node_modules" -prune -o -type f \
           \( -iname '*.tif' -o -iname '*.tiff' -o -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \
              -o -iname '*.zip' \) -size -2M -print0 2>/dev/null)
# the kept crash inputs: fuzzing restarts from the bugs already fixed
for t in $ALL_TARGETS; do
  [ -d "$FUZZ_DIR/regressions/$t" ] && find "$FUZZ_DIR/regressions/$t" -type f -exec cp {} "$SEEDS/$t/" \;
done

[ "$SECONDS_PER_TARGET" = 0 ] && { echo "Seeds written; --seconds 0: not fuzzing."; exit 0; }

# ---------------------------------------------------------------- run

SUMMARY=()
TOTAL_CRASHES=0
TOTAL_CPU=0
TOTAL_EXECS=0
printf '\nFuzzing %s for %s s each, %s process(es) at a time (nice -n 10)\n' "$TARGETS" "$SECONDS_PER_TARGET" "$PARALLEL"
for t in $TARGETS; do
  corpus="$WORK/corpus/$t" artifacts="$WORK/artifacts/$t" logs="$WORK/logs/$t"
  mkdir -p "$corpus" "$artifacts" "$logs"
  rm -f "$logs"/*.log
  marker="$logs/.start"
  touch "$marker"
  sleep 1  # artifacts of this run are strictly newer than the marker
  args=("$corpus" "$SEEDS/$t" -dict="$FUZZ_DIR/dict/${TARGET_DICT[$t]}.dict" -max_total_time="$SECONDS_PER_TARGET"
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/")
  # shellcheck disable=SC2206
  extra=(${FUZZ_EXTRA_ARGS:-})
  echo "== $t: fuzz/build/${t}_fuzzer, log in fuzz/work/logs/$t/"
  TIMEFORMAT='%U %S'
  if [ "$KEEP_GOING" = 1 ]; then
    # fork mode: P child processes at a time for --seconds in all; crashes are saved and fuzzing goes on
    cpu=$( { time (cd "$logs" && "${NICE[@]}" "$BUILD/${t}_fuzzer" "${args[@]}" "${extra[@]}" -fork="$PARALLEL" \
                   -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 >"$logs/fuzz-fork.log" 2>&1) ; } 2>&1 )
  elif [ "$PARALLEL" -gt 1 ]; then
    # -jobs=P -workers=P: P fuzzing processes at once, each for --seconds; each writes fuzz-<k>.log in the cwd
    cpu=$( { time (cd "$logs" && "${NICE[@]}" "$BUILD/${t}_fuzzer" "${args[@]}" "${extra[@]}" -jobs="$PARALLEL" \
                   -workers="$PARALLEL" >"$logs/main.log" 2>&1) ; } 2>&1 )
  else
    cpu=$( { time (cd "$logs" && "${NICE[@]}" "$BUILD/${t}_fuzzer" "${args[@]}" "${extra[@]}" >"$logs/fuzz-0.log" 2>&1) ; } 2>&1 )
  fi
  cpu_s=$(awk '{printf "%.0f", $1 + $2}' <<<"$cpu")
  # executions: libFuzzer's final stats, one line per fuzzing process
  execs=$(cat "$logs"/fuzz-*.log 2>/dev/null | awk -F': ' '/^stat::number_of_executed_units:/ {n += $2} END {print n + 0}')
  if [ "$execs" = 0 ]; then  # no final stats (killed): the "Done N runs" lines
    execs=$(cat "$logs"/fuzz-*.log 2>/dev/null | awk '/^Done [0-9]+ runs/ {n += $2} END {print n + 0}')
  fi
  if [ "$KEEP_GOING" = 1 ]; then  # fork mode: the parent's last "#N: cov: ..." line counts all children
    execs=$(awk -F'[#:]' '/^#[0-9]+: cov:/ {n = $2} END {print n + 0}' "$logs/fuzz-fork.log")
  fi
  crashes=$(find "$artifacts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \
              -o -name 'leak-*' \) -newer "$marker" | wc -l)
  cov=$(grep -ho 'cov: [0-9]*' "$logs"/fuzz-*.log 2>/dev/null | awk '{if ($2 > m) m = $2} END {print m + 0}')
  units=$(find "$corpus" -type f | wc -l)
  TOTAL_CRASHES=$((TOTAL_CRASHES + crashes))
  TOTAL_CPU=$((TOTAL_CPU + cpu_s))
  TOTAL_EXECS=$((TOTAL_EXECS + execs))
  SUMMARY+=("$(printf '%-8s %10s %14s %8s %6s %8s' "$t" "$cpu_s" "$execs" "$crashes" "$cov" "$units")")
  printf '   %s CPU s, %s executions, %s crash(es)\n' "$cpu_s" "$execs" "$crashes"
  if [ "$crashes" -gt 0 ]; then
    find "$artifacts" -maxdepth 1 -type f -newer "$marker" | sed 's|^'"$ROOT"'/|   new: |'
  fi
done

printf '\n%-8s %10s %14s %8s %6s %8s\n' target "CPU s" executions crashes cov corpus
printf '%s\n' "${SUMMARY[@]}"
printf '%-8s %10s %14s %8s\n' total "$TOTAL_CPU" "$TOTAL_EXECS" "$TOTAL_CRASHES"
if [ "$TOTAL_CRASHES" -gt 0 ]; then
  echo "Crashes found: inputs under fuzz/work/artifacts/<target>/ (reproduce: fuzz/build/<target>_fuzzer FILE)"
  exit 1
fi
exit 0
