#!/bin/sh
# fuzz.sh - builds the libFuzzer targets (tests/fuzz, docs/fuzzing.md) with clang and runs
# each for SECONDS on a scratch copy of its seed corpus. Exit 1 on any finding, naming the
# reproducer; the committed corpora are never grown. Each target first replays its past
# findings (tests/fuzz/regressions/TARGET/*), which must run clean.
#   sh tools/fuzz.sh [SECONDS] [TARGET...]     # default 20 s, every target (pb, img, ...)
#   sh tools/fuzz.sh --check                   # exit 0 if clang with libFuzzer is there
# Environment: FUZZ_BUILD build dir (build-fuzz), FUZZ_WORK scratch dir (a new
# /tmp/alexscope-fuzz-XXXXXX; given, its corpora are reused and grow across runs),
# FUZZ_PARALLEL targets run at once (2), FUZZ_NICE niceness of the runs (0).
set -eu
cd "$(dirname "$0")/.."

have_libfuzzer() {
    command -v clang >/dev/null 2>&1 || return 1
    t=$(mktemp -d /tmp/alexscope-fuzzcheck-XXXXXX)
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$t/c.c"
    ok=0
    clang -fsanitize=fuzzer,address,undefined "$t/c.c" -o "$t/c" >/dev/null 2>&1 || ok=1
    rm -rf "$t"
    return $ok
}
if [ "${1:-}" = --check ]; then have_libfuzzer; exit $?; fi
if ! have_libfuzzer; then
    echo "fuzz.sh: clang with libFuzzer is not available (Debian: apt install clang libclang-rt-14-dev)" >&2
    exit 2
fi

secs=${1:-20}
[ $# -gt 0 ] && shift
targets=${*:-"pb safetensors onnx caffemodel pth npy img lesson labels idx"}
build=${FUZZ_BUILD:-build-fuzz}
work=${FUZZ_WORK:-$(mktemp -d /tmp/alexscope-fuzz-XXXXXX)}
mkdir -p "$work"
parallel=${FUZZ_PARALLEL:-2}
jobs=$(nproc 2>/dev/null || echo 2)

# the longest input each target is given: a little above its largest seed
max_len() {
    case $1 in
    safetensors|pth) echo 131072 ;;
    img) echo 65536 ;;
    onnx|caffemodel|lesson) echo 16384 ;;
    *) echo 8192 ;;
    esac
}

CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DALEXSCOPE_FUZZ=ON -DALEXSCOPE_GUI=OFF >/dev/null
build_targets=""
for t in $targets; do build_targets="$build_targets fuzz_$t"; done
# shellcheck disable=SC2086
cmake --build "$build" -j"$jobs" --target $build_targets >"$work/build.log" 2>&1 ||
    { tail -30 "$work/build.log" >&2; echo "fuzz.sh: the build failed ($work/build.log)" >&2; exit 1; }

# one target: prints its line and writes FAIL into its folder on a finding
run_one() {
    t=$1
    d="$work/$t"
    mkdir -p "$d/corpus"
    rm -f "$d/FAIL"
    cp -n tests/fuzz/corpus/"$t"/* "$d/corpus/" 2>/dev/null || true
    dict=""
    [ -f "tests/fuzz/dict/$t.dict" ] && dict="-dict=tests/fuzz/dict/$t.dict"
    start=$(date +%s)
    rc=0
    # the reproducers of past findings first: each must now run clean
    if [ -d "tests/fuzz/regressions/$t" ]; then
        "$build/fuzz_$t" -rss_limit_mb=2048 -malloc_limit_mb=192 -timeout=10 tests/fuzz/regressions/"$t"/* >"$d/regressions.log" 2>&1 ||
            { echo "fuzz: $t: a reproducer in tests/fuzz/regressions/$t fails again ($d/regressions.log)" >&2
              echo FAIL >"$d/FAIL"; return 0; }
    fi
    # shellcheck disable=SC2086
    nice -n "${FUZZ_NICE:-0}" "$build/fuzz_$t" $dict -max_len="$(max_len "$t")" -rss_limit_mb=2048 -malloc_limit_mb=192 \
        -timeout=10 -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$d/" \
        "$d/corpus" >"$d/log" 2>&1 || rc=$?
    took=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -1)
    files=$(ls "$d/corpus" | wc -l)
    echo "fuzz: $t: ${execs:-?} executions in ${took} s ($(( ${execs:-0} / (took > 0 ? took : 1) ))/s), corpus $files files"
    if [ "$rc" -ne 0 ]; then
        repro=$(ls "$d"/crash-* "$d"/leak-* "$d"/timeout-* "$d"/oom-* 2>/dev/null | head -1)
        grep -E "ERROR|SUMMARY|runtime error|==[0-9]+==" "$d/log" | head -5 >&2
        echo "fuzz: $t: FOUND A PROBLEM (exit $rc): reproducer ${repro:-none}, log $d/log" >&2
        echo "  replay: $build/fuzz_$t ${repro:-}" >&2
        echo FAIL >"$d/FAIL"
    fi
}

set -- $targets
while [ $# -gt 0 ]; do
    n=0
    while [ $# -gt 0 ] && [ $n -lt "$parallel" ]; do
        run_one "$1" &
        shift
        n=$((n + 1))
    done
    wait
done
failed=0
for t in $targets; do [ -f "$work/$t/FAIL" ] && failed=1; done
[ $failed -eq 0 ] || exit 1
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
