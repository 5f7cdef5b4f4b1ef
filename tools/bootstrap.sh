#!/bin/sh
# bootstrap.sh - on a fresh Debian 12: install what is missing, build, then open the
# window (run) or build twice more and run every test (test).
#   sh tools/bootstrap.sh run [alexscope arguments...]
#   sh tools/bootstrap.sh test
set -eu
cd "$(dirname "$0")/.."
mode=${1:-run}
[ $# -gt 0 ] && shift

need="build-essential cmake pkg-config libopenblas-dev zlib1g-dev dataset-fashion-mnist libsdl2-dev libsdl2-ttf-dev libstb-dev libcmocka-dev fonts-dejavu-core fontconfig"
[ "$mode" = test ] && need="$need xvfb xauth clang libclang-rt-14-dev"
[ "$mode" = test ] && need="$need groff-base desktop-file-utils appstream"   # test_install checks with them
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "bootstrap: installing$missing"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

jobs=$(nproc 2>/dev/null || echo 2)
case "$mode" in
run)
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j"$jobs"
    exec ./build/alexscope "$@"
    ;;
test)
    # 1. the release build, warnings as errors, every test
    cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=Release -DALEXSCOPE_WERROR=ON >/dev/null
    cmake --build build-ci -j"$jobs"
    (cd build-ci && ctest --output-on-failure -j"$jobs")   # with the soak: 10,000 window events
    # 2. the same suite under AddressSanitizer and UBSan
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DALEXSCOPE_WERROR=ON -DALEXSCOPE_SANITIZE=ON >/dev/null
    cmake --build build-asan -j"$jobs"
    # (not the soak: under ASan a decoding child forked while another thread holds the
    # sanitizer's allocator lock can hang; docs/numbers.md, "The window under a soak")
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j"$jobs" -LE soak)
    # 3. a fuzz smoke: every libFuzzer target for 20 s (docs/fuzzing.md)
    if sh tools/fuzz.sh --check; then
        sh tools/fuzz.sh 20
    else
        echo "bootstrap: clang with libFuzzer is not available: fuzz smoke skipped"
    fi
    ;;
*)
    echo "usage: sh tools/bootstrap.sh run|test" >&2
    exit 2
    ;;
esac
