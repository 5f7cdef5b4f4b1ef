#!/usr/bin/python3
"""Writes tests/fixtures/pth/: PyTorch checkpoints (torch.save's zip format) that
tests/io/test_pth.c loads, and hostile ones it must refuse.

    /usr/bin/python3 tests/gen_pth.py            # rewrites tests/fixtures/pth/
    /usr/bin/python3 tests/gen_pth.py OUTDIR

Needs Debian's python3 with torch and numpy (not in CI: CI reads the committed files).
Everything is seeded and no zip holds a time stamp: running it again writes the same bytes.

Written by torch.save, as a user's checkpoint would be:
  tiny-f32.pth, -f16, -bf16, -f64  the test arch "tiny" (tests/support/wfile_writer.c:
                     conv1 4x3x3x3, conv2 4x2x3x3, fc3 5x100) with fill_ref's values
                     ((i*7 + layer*13) % 61 - 30) / 16, exact in every dtype; torchvision
                     names in -f32, Caffe names in the others
  tiny-wrapped.pth   {'epoch', 'arch', 'state_dict': {'module.conv1.weight', ...},
                     'optimizer': {...}, 'best_acc1': tensor}, as torchvision's
                     references/classification/train.py saves
  tiny-param.pth     nn.Parameter values (torch._utils._rebuild_parameter)
  tiny-views.pth     every tensor a view into one storage (storage offsets)
  tiny-order.pth     names that mean nothing ("a", "b", ...): matched by shape and order
  lenet5-f16.pth     a LeNet-5 in PyTorch's tutorial naming (conv1, conv2, fc1, fc2, fc3),
                     float16, with lenet5-input.npy and PyTorch's output lenet5-prob.npy
                     (float64 computed): fc3 is our fc5, so names alone would fail
  mini-tv.pth        the golden "mini-tv" network (tests/fixtures/golden, gen_golden.py) as
                     a real torchvision-style nn.Module's state_dict(), bfloat16 (the golden
                     weights are bfloat16-exact): compared against the golden references

Built by hand (pickle opcodes and zip bytes), each refused with its message: bad/*.pth
(see BAD below).
"""
import io
import json
import os
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "fixtures", "golden")

# ---- the tiny arch (tests/support/wfile_writer.c) --------------------------------------------

TINY = [  # (caffe name, torchvision alias, arch layer index, weight shape)
    ("conv1", "features.0", 0, (4, 3, 3, 3)),
    ("conv2", "features.3", 3, (4, 2, 3, 3)),
    ("fc3", "classifier.1", 4, (5, 100)),
]


def ref_values(layer, n):
    i = np.arange(n, dtype=np.int64)
    return ((i * 7 + layer * 13) % 61 - 30).astype(np.float32) / 16.0


def tiny_state(names="caffe", dtype=torch.float32, prefix=""):
    sd = OrderedDict()
    for caffe, alias, li, shape in TINY:
        base = prefix + (alias if names == "tv" else caffe)
        w = torch.from_numpy(ref_values(li, int(np.prod(shape))).reshape(shape))
        b = torch.from_numpy(ref_values(li + 100, shape[0]))
        sd[base + ".weight"], sd[base + ".bias"] = w.to(dtype), b.to(dtype)
    return sd


# ---- LeNet-5 (src/nn/arch.c's lenet5), in the tutorial's naming ------------------------------


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = nn.functional.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.tanh(self.fc1(x.flatten(1)))
        x = torch.tanh(self.fc2(x))
        return torch.softmax(self.fc3(x), dim=1)


def lenet(out):
    torch.manual_seed(1998)
    m = LeNet()
    with torch.no_grad():
        for p in m.parameters():  # float16-exact, so the f16 file holds the very numbers used
            p.copy_(p.to(torch.float16).to(torch.float32))
    torch.save(m.half().state_dict(), os.path.join(out, "lenet5-f16.pth"))
    x = torch.rand(1, 1, 32, 32, generator=torch.Generator().manual_seed(5)) * 2 - 1
    with torch.no_grad():
        prob = m.double()(x.double())[0]
    np.save(os.path.join(out, "lenet5-input.npy"), x[0].numpy().astype(np.float32))
    np.save(os.path.join(out, "lenet5-prob.npy"), prob.numpy().astype(np.float32))


# ---- the golden networks ---------------------------------------------------------------------


def read_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])
    out = {}
    for k, v in h.items():
        if k == "__metadata__":
            continue
        assert v["dtype"] == "F32"
        lo, hi = v["data_offsets"]
        out[k] = np.frombuffer(b[8 + n + lo:8 + n + hi], dtype="<f4").reshape(v["shape"]).copy()
    return out


class MiniTV(nn.Module):
    """torchvision's AlexNet at widths 8/16/24/16/16, fc 32/32/10 (gen_golden.py's mini-tv)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(),
            nn.Conv2d(24, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(16 * 36, 32), nn.ReLU(),
            nn.Dropout(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def mini_tv(out):
    m = MiniTV()
    w = read_safetensors(os.path.join(GOLDEN, "mini-tv", "mini-tv.safetensors"))
    m.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()})
    m.eval()
    x = torch.from_numpy(np.load(os.path.join(GOLDEN, "mini-tv", "input.npy")))[None]
    with torch.no_grad():
        y = m.double()(x.double())[0].numpy()
    ref = np.load(os.path.join(GOLDEN, "mini-tv", "fc8.npy"))
    assert np.abs(y - ref).max() <= 1e-4 * np.abs(ref).max(), "mini-tv does not reproduce the golden fc8"
    sd = m.to(torch.bfloat16).state_dict()
    for k, v in w.items():  # the golden weights are bfloat16-exact
        assert np.array_equal(sd[k].float().numpy(), v), k
    torch.save(sd, os.path.join(out, "mini-tv.pth"))


# ---- hand-made pickles and zips --------------------------------------------------------------


def u(s):  # BINUNICODE
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def i(n):  # BININT1 / BININT
    return b"K" + bytes([n]) if 0 <= n < 256 else b"J" + struct.pack("<i", n)


def g(mod, name):  # GLOBAL
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def t(*items):  # MARK ... TUPLE
    return b"(" + b"".join(items) + b"t"


ODICT = g("collections", "OrderedDict") + b")R"


def tensor(key, numel, size, stride, offset=0, storage="FloatStorage"):
    """_rebuild_tensor_v2(('storage', torch.<storage>, key, 'cpu', numel), offset, size, stride, False, {})"""
    pid = t(u("storage"), g("torch", storage), u(key), u("cpu"), i(numel)) + b"Q"
    return (g("torch._utils", "_rebuild_tensor_v2") +
            t(pid, i(offset), t(*map(i, size)), t(*map(i, stride)), b"\x89", ODICT) + b"R")


def pickle_of(items, tail=b""):
    """{name: tensor-bytes} as an OrderedDict, then tail before STOP."""
    return b"\x80\x02" + ODICT + b"(" + b"".join(u(k) + v for k, v in items) + b"u" + tail + b"."


def entry(z, name, data, compress=zipfile.ZIP_STORED):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # no time stamp: the same bytes each run
    info.compress_type = compress
    z.writestr(info, data)


def zip_of(path, pkl, data, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w") as z:
        entry(z, "bad/data.pkl", pkl, compress)
        for k, v in data.items():
            entry(z, "bad/data/" + k, v, compress)
        entry(z, "bad/version", b"3\n", compress)


CONV1 = [("conv1.weight", tensor("0", 108, (4, 3, 3, 3), (27, 9, 3, 1)))]
DATA0 = {"0": np.zeros(108, "<f4").tobytes()}

# name: (pickle, storages); the messages are in tests/io/test_pth.c
BAD = {
    "os-system": (b"\x80\x02" + g("os", "system") + u("echo owned") + b"\x85R.", {}),
    "builtins-eval": (b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93" + u("1") + b"\x85R.", {}),
    "posix-system-late": (pickle_of(CONV1, g("posix", "system") + u("id") + b"\x85R0"), DATA0),
    "reduce-str": (b"\x80\x02" + u("os.system") + b")R.", {}),
    "reduce-storage": (b"\x80\x02" + g("torch", "FloatStorage") + t(i(3)) + b"R.", {}),
    "newobj": (b"\x80\x02" + g("collections", "OrderedDict") + b")\x81.", {}),
    "huge-unicode": (b"\x80\x02X\xf0\xff\xff\xff" + b"abc.", {}),
    "deep-mark": (b"\x80\x02" + b"(" * 100 + b".", {}),
    "missing-storage": (pickle_of([("conv1.weight", tensor("7", 108, (4, 3, 3, 3), (27, 9, 3, 1)))]), DATA0),
    "past-storage": (pickle_of([("conv1.weight", tensor("0", 108, (4, 3, 3, 3), (27, 9, 3, 1), offset=4))]), DATA0),
    "storage-too-big": (pickle_of([("conv1.weight", tensor("0", 1000, (4, 3, 3, 3), (27, 9, 3, 1)))]), DATA0),
    "strided": (pickle_of([("conv1.weight", tensor("0", 108, (4, 3, 3, 3), (1, 4, 12, 36)))]), DATA0),
    "build-tensor": (b"\x80\x02" + tensor("0", 108, (4, 3, 3, 3), (27, 9, 3, 1)) + b"}b.", DATA0),
    "persid-other": (b"\x80\x02" + t(u("module"), u("x")) + b"Q.", {}),
    "storage-type": (pickle_of([("conv1.weight", tensor("0", 108, (4, 3, 3, 3), (27, 9, 3, 1),
                                                        storage="LongStorage"))]), DATA0),
    "not-dict": (b"\x80\x02]" + b".", {}),
    "no-tensors": (b"\x80\x02}" + u("epoch") + i(3) + b"s.", {}),
    "no-stop": (b"\x80\x02}", {}),
    "memo-get": (b"\x80\x02h\x05.", {}),
}


def write_bad(out):
    d = os.path.join(out, "bad")
    os.makedirs(d, exist_ok=True)
    for name, (pkl, data) in BAD.items():
        zip_of(os.path.join(d, name + ".pth"), pkl, data)
    good = open(os.path.join(out, "tiny-f32.pth"), "rb").read()
    open(os.path.join(d, "truncated.pth"), "wb").write(good[:len(good) // 2])
    zip_of(os.path.join(d, "conv1.pth"), pickle_of(CONV1), DATA0)  # valid; the base of the next ones
    good = open(os.path.join(d, "conv1.pth"), "rb").read()
    # the central directory's first entry: local header offset (+42), then sizes (+20, +24)
    cd = good.index(b"PK\x01\x02")
    b = bytearray(good)
    b[cd + 42:cd + 46] = struct.pack("<I", 0x7FFFFFF0)
    open(os.path.join(d, "offset-past-eof.pth"), "wb").write(bytes(b))
    b = bytearray(good)
    b[cd + 20:cd + 28] = struct.pack("<II", 0x7FFFFFF0, 0x7FFFFFF0)
    open(os.path.join(d, "size-past-eof.pth"), "wb").write(bytes(b))
    b = bytearray(good)  # one byte of data.pkl changed, its CRC-32 not
    at = good.index(b"\x80\x02")
    b[at + 1] = 3
    open(os.path.join(d, "crc.pth"), "wb").write(bytes(b))
    zip_of(os.path.join(d, "compressed.pth"), pickle_of(CONV1), DATA0, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(os.path.join(d, "big-endian.pth"), "w") as z:
        entry(z, "bad/data.pkl", pickle_of(CONV1))
        entry(z, "bad/byteorder", b"big")
        entry(z, "bad/data/0", DATA0["0"])
    with zipfile.ZipFile(os.path.join(d, "no-pkl.pth"), "w") as z:
        entry(z, "bad/data/0", DATA0["0"])
    # torch.save's format before 1.6: a bare pickle opening with a magic number
    buf = io.BytesIO()
    torch.save(tiny_state(), buf, _use_new_zipfile_serialization=False)
    open(os.path.join(d, "legacy.pth"), "wb").write(buf.getvalue()[:64])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "fixtures", "pth")
    os.makedirs(out, exist_ok=True)
    torch.save(tiny_state("tv"), os.path.join(out, "tiny-f32.pth"))
    for suffix, dt in (("f16", torch.float16), ("bf16", torch.bfloat16), ("f64", torch.float64)):
        torch.save(tiny_state("caffe", dt), os.path.join(out, "tiny-%s.pth" % suffix))
    torch.save({"epoch": 90, "arch": "tiny", "state_dict": tiny_state("caffe", prefix="module."),
                "optimizer": {"state": {}, "param_groups": [{"lr": 0.01, "momentum": 0.9, "nesterov": False,
                                                             "weight_decay": None, "params": [0, 1, 2]}]},
                "best_acc1": torch.tensor(56.5)}, os.path.join(out, "tiny-wrapped.pth"))
    torch.save(OrderedDict((k, nn.Parameter(v)) for k, v in tiny_state().items()),
               os.path.join(out, "tiny-param.pth"))
    flat = torch.cat([v.flatten() for v in tiny_state().values()])
    views, at = OrderedDict(), 0
    for k, v in tiny_state().items():
        views[k] = flat[at:at + v.numel()].view(v.shape)
        at += v.numel()
    torch.save(views, os.path.join(out, "tiny-views.pth"))
    torch.save(OrderedDict(zip("abcdef", tiny_state().values())), os.path.join(out, "tiny-order.pth"))
    lenet(out)
    mini_tv(out)
    write_bad(out)
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(out) for f in fs)
    print("wrote %s (%d bytes)" % (out, total))


if __name__ == "__main__":
    main()
