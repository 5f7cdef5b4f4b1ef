#!/bin/sh
# render.sh - the icon's PNG sizes from the SVG (run by hand after editing the SVG; the PNGs are
# committed so the build needs no SVG renderer). Needs rsvg-convert (Debian: librsvg2-bin).
set -eu
cd "$(dirname "$0")"
id=io.github.alexscope.alexscope
for s in 16 24 32 48 64 128 256; do
    rsvg-convert -w "$s" -h "$s" "$id.svg" -o "$id-$s.png"
done
