#!/usr/bin/python3
"""make_seeds.py - writes the fuzz seed corpora that make_seeds.c does not: PyTorch .pth
checkpoints (torch.save of state dicts; skipped without torch), tiny images of every accepted format (and one refused, HDR), .npy arrays,
class-name lists, idx files plain and gzipped, and lessons (the shipped ones, plus one for
LeNet-5 that uses the value placeholders). Deterministic; the output is committed.

    /usr/bin/python3 tests/fuzz/make_seeds.py        # Debian's python3: PIL and numpy
"""
import gzip
import io
import os
import shutil
import struct

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def images():
    rgb = Image.fromarray(((np.arange(8 * 6 * 3).reshape(6, 8, 3) * 5) % 256).astype(np.uint8), "RGB")
    grey = rgb.convert("L")
    rgba = rgb.convert("RGBA")
    pal = rgb.convert("P", palette=Image.ADAPTIVE, colors=8)
    saves = [
        ("rgb.png", rgb, "PNG", {}), ("grey.png", grey, "PNG", {}), ("rgba.png", rgba, "PNG", {}),
        ("pal.png", pal, "PNG", {}), ("interlaced.png", rgb, "PNG", {"interlace": 1}),
        ("base.jpg", rgb, "JPEG", {"quality": 80}), ("grey.jpg", grey, "JPEG", {}),
        ("progressive.jpg", rgb, "JPEG", {"progressive": True}),
        ("sub420.jpg", rgb.resize((17, 9)), "JPEG", {"subsampling": 2}),
        ("pal.gif", pal, "GIF", {}), ("rgb.bmp", rgb, "BMP", {}), ("pal.bmp", pal, "BMP", {}),
        ("rgb.ppm", rgb, "PPM", {}), ("grey.pgm", grey, "PPM", {}),
        ("rgb.tga", rgb, "TGA", {}), ("rle.tga", rgb, "TGA", {"compression": "tga_rle"}),
    ]
    for name, im, fmt, kw in saves:
        b = io.BytesIO()
        im.save(b, fmt, **kw)
        put("img", name, b.getvalue())
    anim = io.BytesIO()
    pal.save(anim, "GIF", save_all=True, append_images=[pal.transpose(Image.FLIP_LEFT_RIGHT)], duration=10)
    put("img", "anim.gif", anim.getvalue())
    # a format refused by name (Radiance HDR), so the refusal is reached
    put("img", "tiny.hdr", b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X 2\n" + bytes(range(16)))


def npy():
    arrays = {
        "f4-3d.npy": np.arange(24, dtype="<f4").reshape(2, 3, 4),
        "f4-scalar.npy": np.array(1.5, dtype="<f4"),
        "f4-empty.npy": np.zeros((0, 3), dtype="<f4"),
        "f4-1x3x4x4.npy": np.linspace(-1, 1, 48, dtype="<f4").reshape(1, 3, 4, 4),
        "f8.npy": np.arange(4, dtype="<f8"),
        "fortran.npy": np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)),
    }
    for name, a in arrays.items():
        b = io.BytesIO()
        np.save(b, a)
        put("npy", name, b.getvalue())
    # format version 2.0 (4-byte header length)
    b = io.BytesIO()
    np.lib.format.write_array(b, np.arange(3, dtype="<f4"), version=(2, 0))
    put("npy", "v2.npy", b.getvalue())


def labels():
    put("labels", "fashion.txt", open(os.path.join(ROOT, "assets", "fashion-mnist-classes.txt"), "rb").read())
    put("labels", "crlf-bom.txt", b"\xef\xbb\xbftench, Tinca tinca\r\ngoldfish\r\n\r\nwhite shark")
    put("labels", "imagenet-head.txt",
        b"".join(open(os.path.join(ROOT, "assets", "imagenet-classes.txt"), "rb").readlines()[:40]))


def idx_file(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def idx():
    images = idx_file([3, 4, 5], range(60))
    labels_ = idx_file([3], [0, 9, 4])
    put("idx", "images-3x4x5", images)
    put("idx", "labels-3", labels_)
    put("idx", "images.gz", gzip.compress(images, mtime=0))
    # the split form fuzz_idx.c also reads: 2 bytes (little-endian) = the images file's size
    for name, a, b in (("split-plain", images, labels_),
                       ("split-gz", gzip.compress(images, mtime=0), gzip.compress(labels_, mtime=0))):
        put("idx", name, struct.pack("<H", len(a)) + a + b)


LENET_LESSON = b"""title: LeNet-5, every kind of value
arch: lenet5
image: fashion/9-ankle-boot-test00000.png

--- The input
layer: input
panel: input
A {input.shape} image; {arch.name}: {arch.title}; {total.params} parameters, {total.macs} MACs.

--- conv1
layer: conv1
panel: maps
channel: 2
unit: 3 4
{conv1.out_c} maps of {conv1.out_shape} = {conv1.formula}; min {conv1.min}, max {conv1.max},
mean {conv1.mean}, {conv1.zero_pct} zero; {conv1.im2col_matrix}, maxdiff {conv1.im2col_maxdiff}.
{sum:conv1.params,conv2.params} and {150 = conv1.weights}; {size:32,5,0,1} {rounding:13,3,0,2}.

--- The answer
layer: prob
panel: top5
{top1.label} at {top1.prob}; then {top2.label}. Saliency: {saliency:score}, {saliency:class},
{saliency:center_area_pct}; backprop: {backprop:class}, {backprop:conv1.compared}.
{alexnet:conv1.out_c} {alexnet@224/floor:fc6.in_count}
"""


def lessons():
    d = os.path.join(ROOT, "lessons")
    for name in sorted(os.listdir(d)):
        if name.endswith(".lesson"):
            shutil.copyfile(os.path.join(d, name), os.path.join(CORPUS, "lesson", name))
    put("lesson", "lenet5-values.lesson", LENET_LESSON)


def pth():
    try:
        import torch
    except ImportError:
        print("make_seeds.py: no torch, .pth seeds not written")
        return
    torch.manual_seed(0)

    def save(name, sd):
        b = io.BytesIO()
        torch.save(sd, b)
        put("pth", name, b.getvalue())

    # the tiny test arch (wfile_writer.c): 3x16x16 -> conv1 4 k3 -> pool 2 -> conv2 4 k3 groups 2 -> fc3 5
    tiny = [("features.0", (4, 3, 3, 3)), ("features.3", (4, 2, 3, 3)), ("classifier.1", (5, 100))]
    sd = {}
    for name, shape in tiny:
        sd[name + ".weight"] = torch.randn(shape)
        sd[name + ".bias"] = torch.randn(shape[0])
    save("tiny-f32.pth", sd)
    save("tiny-f16.pth", {k: v.half() for k, v in sd.items()})
    # LeNet-5 in bfloat16, names matched by order and shape
    lenet = [("c1", (6, 1, 5, 5)), ("c3", (16, 6, 5, 5)), ("f5", (120, 400)), ("f6", (84, 120)), ("out", (10, 84))]
    save("lenet5-bf16.pth", {n + s: torch.randn(shape if s == ".weight" else shape[:1]).bfloat16()
                             for n, shape in lenet for s in (".weight", ".bias")})
    # a view into a shared storage (storage offset, strides), and a pickle naming a global that must be refused
    base = torch.randn(200)
    save("views.pth", {"features.0.weight": base[:108].view(4, 3, 3, 3), "features.0.bias": base[108:112]})

    class Evil:
        def __reduce__(self):
            return (os.system, ("true",))
    save("global-os-system.pth", {"x": Evil()})


def main():
    os.makedirs(os.path.join(CORPUS, "lesson"), exist_ok=True)
    images()
    npy()
    labels()
    idx()
    lessons()
    pth()


if __name__ == "__main__":
    main()
