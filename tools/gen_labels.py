#!/usr/bin/python3
"""Writes assets/imagenet-classes.txt: the 1000 ILSVRC-2012 class names, one per line,
in the index order of the Caffe, ONNX Model Zoo and torchvision AlexNets (synsets sorted
by WordNet id: 0 tench ... 999 toilet tissue).

The names come from the list torchvision ships with its pretrained-model metadata
(Debian package python3-torchvision), so we do not retype 1000 facts by hand.

    /usr/bin/python3 tools/gen_labels.py            # writes assets/imagenet-classes.txt
    /usr/bin/python3 tools/gen_labels.py OUT.txt
"""
import os
import sys

from torchvision.models._meta import _IMAGENET_CATEGORIES as CATEGORIES

# Spot checks from docs (alexnet-facts.md section 8); a different list must not slip in.
KNOWN = {0: "tench", 1: "goldfish", 281: "tabby", 285: "Egyptian cat", 504: "coffee mug",
         812: "space shuttle", 967: "espresso", 999: "toilet tissue"}


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "assets", "imagenet-classes.txt")
    names = list(CATEGORIES)
    if len(names) != 1000:
        sys.exit("expected 1000 names, torchvision has %d" % len(names))
    for i, want in KNOWN.items():
        if names[i] != want:
            sys.exit("index %d is %r, expected %r" % (i, names[i], want))
    for i, n in enumerate(names):
        if not n or "\n" in n or "\r" in n or n != n.strip():
            sys.exit("name %d (%r) cannot be written one per line" % (i, n))
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(n + "\n" for n in names))
    print("wrote %s (%d names)" % (out, len(names)))


if __name__ == "__main__":
    main()
