#!/bin/sh
# test_install.sh - install the build into a temporary prefix and use the installed copy the
# way a user would: from /, with a clean environment (no ALEXSCOPE_ASSETS), so it has to find
# PREFIX/share/alexscope by itself. Where the machine allows it (root, unshare), the source
# tree is also hidden behind an empty tmpfs in a private mount namespace, as if moved away.
# Then the manual page, the desktop entry, the AppStream metadata and the bash completion
# are checked with Debian's tools when they are installed (skipped with a note otherwise).
#
#   sh tests/install/test_install.sh BUILD_DIR SOURCE_DIR VERSION GUI(0|1) [CMAKE]
#
# ctest runs it as test_install. Prints "N passed, N failed, N skipped"; exit 1 on a failure.
set -u
build=$1 src=$2 version=$3 gui=$4 cmake=${5:-cmake}
id=io.github.alexscope.alexscope
tmp=$(mktemp -d "${TMPDIR:-/tmp}/alexscope-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
P=$tmp/prefix
passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1"; [ -s "$tmp/out" ] && sed 's/^/      | /' "$tmp/out" | head -20; }
skip() { skipped=$((skipped + 1)); echo "skip  $1"; }
# check NAME CMD...: CMD's exit status decides
check() {
    name=$1
    shift
    if "$@" >"$tmp/out" 2>&1; then pass "$name"; else fail "$name"; fi
}
# the installed binary from /, with nothing of the caller's environment but the sanitizers'
# (SDL's dummy driver: the screenshot mode needs no display)
installed() {
    (cd / && env -i PATH=/usr/bin:/bin HOME="$tmp/home" LC_ALL=C.UTF-8 SDL_VIDEODRIVER=dummy \
        ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
        "$P/bin/alexscope" "$@")
}
# grep_out PATTERN CMD...: CMD succeeds and prints a line matching PATTERN
grep_out() {
    pattern=$1
    shift
    "$@" >"$tmp/cmd" 2>&1 || { cat "$tmp/cmd"; return 1; }
    grep -q -- "$pattern" "$tmp/cmd" || { cat "$tmp/cmd"; echo "(no line matches '$pattern')"; return 1; }
}

# ---- the layout ----
mkdir -p "$tmp/home"
if ! "$cmake" --install "$build" --prefix "$P" >"$tmp/out" 2>&1; then
    fail "cmake --install $build --prefix $P"
    echo "0 passed, 1 failed"
    exit 1
fi
pass "cmake --install"
missing=""
for f in bin/alexscope share/alexscope/assets/imagenet-classes.txt share/alexscope/assets/fashion-mnist-classes.txt \
    share/alexscope/assets/samples/chelsea.png share/alexscope/assets/samples/CREDITS.md \
    share/alexscope/assets/weights/lenet5-fashion.safetensors share/alexscope/assets/experiments/overfit-2000.csv \
    share/alexscope/lessons/01-overview.lesson share/doc/alexscope/README.md share/doc/alexscope/copyright \
    share/doc/alexscope/docs/user-guide.md share/doc/alexscope/docs/img/conv1.png share/man/man1/alexscope.1.gz \
    share/applications/$id.desktop share/metainfo/$id.metainfo.xml share/icons/hicolor/scalable/apps/$id.svg \
    share/icons/hicolor/48x48/apps/$id.png share/icons/hicolor/256x256/apps/$id.png \
    share/bash-completion/completions/alexscope; do
    [ -f "$P/$f" ] || missing="$missing $f"
done
echo "missing:$missing" >"$tmp/out"
check "every file in its place" test -z "$missing"
n_src=$(ls "$src"/lessons/*.lesson | wc -l)
n_inst=$(ls "$P"/share/alexscope/lessons/*.lesson | wc -l)
echo "$n_src lessons in the source, $n_inst installed" >"$tmp/out"
check "all $n_src lessons installed" test "$n_src" -eq "$n_inst"
find "$P" -name 'test_*' -o -name '*.c' -o -name '*.o' -o -name CMakeLists.txt >"$tmp/out"
check "nothing of the build or the sources installed" test ! -s "$tmp/out"

# ---- the installed copy, from /, without ALEXSCOPE_ASSETS ----
assets=$(cd "$P/share/alexscope/assets" && pwd -P)
check "--version: alexscope $version" grep_out "^alexscope $version\$" installed --version
check "--version: reads $assets" grep_out "assets: $assets\$" installed --version
check "summary" grep_out "60,965,224" installed summary
check "run on an installed sample" grep_out "^ *1\. " installed run "$P/share/alexscope/assets/samples/chelsea.png"
# lenet5's default weights are a shipped file: the fashion sample must come out as what it is
check "run --arch lenet5: the shipped weights say Ankle boot" grep_out "^ *1\..*Ankle boot" \
    installed run --arch lenet5 "$P/share/alexscope/assets/fashion/9-ankle-boot-test00000.png"
check "lesson play 01-overview" grep_out "Step 4 of 4" installed lesson play "$P/share/alexscope/lessons/01-overview.lesson"
check "lesson check of every installed lesson" installed lesson check "$P"/share/alexscope/lessons/*.lesson
if [ "$gui" = 1 ]; then
    shot() { rm -f "$tmp/shot.png" && installed --screenshot "$tmp/shot.png" --size 640x400 &&
        head -c 8 "$tmp/shot.png" | od -An -c | grep -q 'P   N   G'; }
    check "the window's screenshot mode writes a PNG" shot
else
    skip "screenshot mode: built without the window"
fi

# ---- with the source tree out of reach (a private mount namespace; root only) ----
case $P in "$src"/*) hide=no ;; *) hide=yes ;; esac
if [ "$hide" = yes ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
    # in a private mount namespace: an empty tmpfs over the source, then the installed binary
    hidden() {
        unshare -m sh -c 'src=$1 && shift && mount -t tmpfs alexscope-hidden "$src" &&
            [ -z "$(ls -A "$src")" ] && cd / && exec env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 SDL_VIDEODRIVER=dummy \
            ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} "$@"' sh "$src" "$P/bin/alexscope" "$@"
    }
    check "source hidden: summary" grep_out "60,965,224" hidden summary
    check "source hidden: lesson play 14-lenet (trained weights)" grep_out "Step 1 of" \
        hidden lesson play "$P/share/alexscope/lessons/14-lenet.lesson"
    check "source hidden: run --arch lenet5" grep_out "^ *1\..*Ankle boot" \
        hidden run --arch lenet5 "$P/share/alexscope/assets/fashion/9-ankle-boot-test00000.png"
    if [ "$gui" = 1 ]; then
        check "source hidden: screenshot" hidden --screenshot "$tmp/hidden.png" --size 640x400
    fi
else
    skip "source hidden: needs root and unshare (and a prefix outside the source)"
fi

# ---- the manual page, the desktop entry, the metadata, the completion ----
if command -v groff >/dev/null 2>&1; then
    man_warnings() {
        w=$(gzip -dc "$P/share/man/man1/alexscope.1.gz" | groff -man -Tutf8 -ww -z 2>&1)
        echo "$w"
        [ -z "$w" ]
    }
    check "man page: groff -ww finds nothing" man_warnings
else
    skip "man page: no groff"
fi
if command -v desktop-file-validate >/dev/null 2>&1; then
    check "desktop-file-validate" sh -c '! desktop-file-validate "$1" 2>&1 | grep .' sh "$P/share/applications/$id.desktop"
else
    skip "desktop entry: no desktop-file-validate (apt-get install desktop-file-utils)"
fi
check "desktop entry names the installed icon" grep -qx "Icon=$id" "$P/share/applications/$id.desktop"
if command -v appstreamcli >/dev/null 2>&1; then
    check "appstreamcli validate" appstreamcli validate --no-net --pedantic "$P/share/metainfo/$id.metainfo.xml"
else
    skip "metainfo: no appstreamcli (apt-get install appstream)"
fi
check "metainfo launches the desktop entry" grep -q "<launchable type=\"desktop-id\">$id.desktop<" \
    "$P/share/metainfo/$id.metainfo.xml"
if command -v bash >/dev/null 2>&1; then
    check "bash completion parses" bash -n "$P/share/bash-completion/completions/alexscope"
    if [ -f /usr/share/bash-completion/bash_completion ]; then
        complete_word() {
            bash -c '. /usr/share/bash-completion/bash_completion && . "$1" &&
                COMP_WORDS=(alexscope lesson "") COMP_CWORD=2 && _alexscope alexscope "" lesson &&
                echo "${COMPREPLY[*]}"' sh "$P/share/bash-completion/completions/alexscope" | grep -qx "check play"
        }
        check "bash completion: alexscope lesson <TAB> offers check play" complete_word
    fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
