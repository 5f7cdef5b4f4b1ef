#!/bin/sh
# make_screenshots.sh - renders the pictures in docs/img with the tool's own screenshot
# mode (no display needed). Run after a build:  sh tools/make_screenshots.sh [build/alexscope]
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/alexscope}
export SDL_VIDEODRIVER=dummy
mkdir -p docs/img
"$bin" --screenshot docs/img/conv1.png --step conv1 --channel 17
"$bin" --screenshot docs/img/conv2-math.png --step relu2 --unit 200,10,12 --card math
"$bin" --screenshot docs/img/prob.png --step prob
"$bin" --screenshot docs/img/lesson.png --lesson lessons/03-conv1.lesson --lesson-step 3
"$bin" --screenshot docs/img/kernels.png --step conv1 --kernels
"$bin" --screenshot docs/img/params.png --step fc6 --card params --size 1920x1080
"$bin" --screenshot docs/img/contrast.png --step pool5 --theme contrast --unit 0,3,3 --card field
"$bin" --screenshot docs/img/sliding-window.png --step conv2 --animate 30 --size 1920x1080
"$bin" --screenshot docs/img/lesson-224.png --lesson lessons/16-sliding-window.lesson --lesson-step 3 --size 1920x1080
echo "wrote docs/img/*.png"
