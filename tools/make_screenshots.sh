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
"$bin" --screenshot docs/img/im2col.png --step conv1 --im2col --unit 5,27,27 --size 1920x1080
"$bin" --screenshot docs/img/crops.png --step prob --view crops --size 1920x1080
"$bin" --screenshot docs/img/occlusion.png --step prob --view occlusion --size 1920x1080
"$bin" --screenshot docs/img/patches.png --step pool5 --view patches --channel 3 --size 1920x1080
"$bin" --screenshot docs/img/saliency.png --step prob --view saliency --saliency-method guided --size 1920x1080
"$bin" --screenshot docs/img/saliency-lenet5.png --arch lenet5 --step prob --view saliency --size 1920x1080
# live training (key J): 5 epochs of 2,000 Fashion-MNIST images trained before the picture (needs dataset-fashion-mnist)
"$bin" --screenshot docs/img/training.png --arch lenet5 --train --train-epochs 5 --subset 2000 --size 1920x1080
"$bin" --screenshot docs/img/engine-fast.png --step conv2 --engine fast --unit 10,5,5 --card math
echo "wrote docs/img/*.png"
