#!/usr/bin/python3
"""make_fashion_samples.py - writes assets/fashion/*.png: the first test image of each of
Fashion-MNIST's ten classes, as LeNet-5 sees it (the 28×28 image with a 2-pixel black
border: 32×32 grey, the same padding `alexscope train` uses).

Developer tool (python3-numpy, python3-pil; Debian's dataset-fashion-mnist). The PNGs it
wrote are committed; nothing in the build or the tests runs this.

    /usr/bin/python3 tools/make_fashion_samples.py [/usr/share/datasets/fashion-mnist]
"""
import gzip
import os
import sys

import numpy as np
from PIL import Image

CLASSES = ["t-shirt-top", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    nd = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * nd).reshape(dims)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "fashion")
    images = idx(os.path.join(src, "t10k-images-idx3-ubyte.gz"))
    labels = idx(os.path.join(src, "t10k-labels-idx1-ubyte.gz"))
    for c, name in enumerate(CLASSES):
        i = int(np.nonzero(labels == c)[0][0])
        padded = np.zeros((32, 32), np.uint8)
        padded[2:30, 2:30] = images[i]
        path = os.path.join(out, "%d-%s-test%05d.png" % (c, name, i))
        Image.fromarray(padded, "L").save(path, optimize=True)
        print(path)


if __name__ == "__main__":
    main()
