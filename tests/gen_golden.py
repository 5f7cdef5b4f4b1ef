#!/usr/bin/python3
"""Writes tests/fixtures/golden/: two reduced-width AlexNets, their weights in every file
format alexscope reads, an input tensor and PyTorch's output for every layer.

    /usr/bin/python3 tests/gen_golden.py            # rewrites tests/fixtures/golden/
    /usr/bin/python3 tests/gen_golden.py OUTDIR

Needs Debian's python3 with torch, torchvision, numpy, onnx and PIL (not in CI: CI only
reads the committed files). tests/test_golden.c compares the engine against them, and
tools/check_fullsize.py imports this file to do the same at full size.

  mini     the 2012 / Caffe network (LRN, groups 2, ceil pools), input 3x227x227,
           widths 8/16/24/24/16, fc 32/32/10
  mini-tv  torchvision's variant (no LRN, no groups, pad 2, floor pools), input 3x224x224,
           widths 8/16/24/16/16, fc 32/32/10

The weights are seeded and rounded to bfloat16 precision (and flushed to zero below
float16's smallest normal), so one float32 / float16 / bfloat16 file each holds exactly
the same numbers and ONE set of reference outputs serves every format.
The references are computed in float64 and stored as float32.

The safetensors, .caffemodel and Model-Zoo-style ONNX files are written by hand (no
safetensors or caffe package on Debian); only the torchvision-style ONNX files come from
torch.onnx.export.

One file of about 680 lines on purpose: it is run by hand, rarely, as one script, and the
writers for the three formats sit next to the networks they write.
"""
import json
import math
import os
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

SEED = 2012
# scikit-image's chelsea.png (451x300); the same file is bundled as assets/samples/chelsea.png
CHELSEA = "/usr/lib/python3/dist-packages/skimage/data/chelsea.png"
if not os.path.exists(CHELSEA):
    CHELSEA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "samples", "chelsea.png")
CAFFE_MEAN_BGR = (104.0, 117.0, 123.0)
TV_MEAN = (0.485, 0.456, 0.406)
TV_STD = (0.229, 0.224, 0.225)
LOGIT_RMS = 3.0  # fc8 is rescaled so the softmax is neither flat nor one-hot

# ---- the networks as data (mirrors LayerSpec in src/nn/arch.h) ------------------------------


def caffe_spec(c=(96, 256, 384, 384, 256), fc=(4096, 4096, 1000)):
    """The 2012 network in Caffe's deploy.prototxt order (alexnet-facts.md section 1)."""
    lrn = dict(size=5, alpha=1e-4, beta=0.75, k=1.0)
    pool = dict(k=3, stride=2, ceil=True)
    return [
        ("conv1", "conv", dict(out=c[0], k=11, stride=4, pad=0, groups=1)),
        ("relu1", "relu", {}),
        ("norm1", "lrn", lrn),
        ("pool1", "maxpool", pool),
        ("conv2", "conv", dict(out=c[1], k=5, stride=1, pad=2, groups=2)),
        ("relu2", "relu", {}),
        ("norm2", "lrn", lrn),
        ("pool2", "maxpool", pool),
        ("conv3", "conv", dict(out=c[2], k=3, stride=1, pad=1, groups=1)),
        ("relu3", "relu", {}),
        ("conv4", "conv", dict(out=c[3], k=3, stride=1, pad=1, groups=2)),
        ("relu4", "relu", {}),
        ("conv5", "conv", dict(out=c[4], k=3, stride=1, pad=1, groups=2)),
        ("relu5", "relu", {}),
        ("pool5", "maxpool", pool),
    ] + classifier_spec(fc)


def tv_spec(c=(64, 192, 384, 256, 256), fc=(4096, 4096, 1000)):
    """torchvision's AlexNet (alexnet-facts.md section 2) under Caffe-style layer names, in
    torchvision's order."""
    pool = dict(k=3, stride=2, ceil=False)
    return [
        ("conv1", "conv", dict(out=c[0], k=11, stride=4, pad=2, groups=1)),
        ("relu1", "relu", {}),
        ("pool1", "maxpool", pool),
        ("conv2", "conv", dict(out=c[1], k=5, stride=1, pad=2, groups=1)),
        ("relu2", "relu", {}),
        ("pool2", "maxpool", pool),
        ("conv3", "conv", dict(out=c[2], k=3, stride=1, pad=1, groups=1)),
        ("relu3", "relu", {}),
        ("conv4", "conv", dict(out=c[3], k=3, stride=1, pad=1, groups=1)),
        ("relu4", "relu", {}),
        ("conv5", "conv", dict(out=c[4], k=3, stride=1, pad=1, groups=1)),
        ("relu5", "relu", {}),
        ("pool5", "maxpool", pool),
    ] + tv_classifier_spec(fc)


def tv_classifier_spec(fc):
    """torchvision's classifier: Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear. Dropout
    acts on fc6's 9,216 (here 16x6x6) inputs and on relu6's output, none before fc8; the model
    ends at the logits, and the softmax is added by alexscope (src/nn/arch.c)."""
    return [
        ("drop6", "dropout", dict(ratio=0.5)),
        ("fc6", "fc", dict(out=fc[0])),
        ("relu6", "relu", {}),
        ("drop7", "dropout", dict(ratio=0.5)),
        ("fc7", "fc", dict(out=fc[1])),
        ("relu7", "relu", {}),
        ("fc8", "fc", dict(out=fc[2])),
        ("prob", "softmax", {}),
    ]


def classifier_spec(fc):
    # Caffe's deploy.prototxt: dropout after relu6 / relu7. Dropout is the identity at
    # inference, so drop6 / drop7 equal relu6 / relu7 here.
    return [
        ("fc6", "fc", dict(out=fc[0])),
        ("relu6", "relu", {}),
        ("drop6", "dropout", dict(ratio=0.5)),
        ("fc7", "fc", dict(out=fc[1])),
        ("relu7", "relu", {}),
        ("drop7", "dropout", dict(ratio=0.5)),
        ("fc8", "fc", dict(out=fc[2])),
        ("prob", "softmax", {}),
    ]


# torchvision state_dict prefixes of the weighted layers
TV_ALIAS = {"conv1": "features.0", "conv2": "features.3", "conv3": "features.6",
            "conv4": "features.8", "conv5": "features.10", "fc6": "classifier.1",
            "fc7": "classifier.4", "fc8": "classifier.6"}

MINI = dict(name="mini", spec=caffe_spec((8, 16, 24, 24, 16), (32, 32, 10)), size=227, style="caffe")
MINI_TV = dict(name="mini-tv", spec=tv_spec((8, 16, 24, 16, 16), (32, 32, 10)), size=224, style="tv")


def weighted(spec):
    return [(name, kind, p) for name, kind, p in spec if kind in ("conv", "fc")]


# ---- input -----------------------------------------------------------------------------


def load_input(style, size, path=CHELSEA):
    """A preprocessed photo as (3, size, size) float32: Caffe preset (BGR, 0..255 minus
    104/117/123, resize 256x256 and centre crop) or torchvision preset (RGB / 255, mean /
    std, shorter side 256 and centre crop)."""
    from PIL import Image
    im = Image.open(path).convert("RGB")
    if style == "caffe":
        im = im.resize((256, 256), Image.BILINEAR)
    else:
        w, h = im.size
        s = 256.0 / min(w, h)
        im = im.resize((max(256, round(w * s)), max(256, round(h * s))), Image.BILINEAR)
    w, h = im.size
    left, top = (w - size) // 2, (h - size) // 2
    a = np.asarray(im.crop((left, top, left + size, top + size)), dtype=np.float32)
    a = a.transpose(2, 0, 1)  # (3, H, W) RGB, 0..255
    if style == "caffe":
        a = a[::-1] - np.array(CAFFE_MEAN_BGR, np.float32)[:, None, None]
    else:
        a = (a / 255.0 - np.array(TV_MEAN, np.float32)[:, None, None]) / np.array(TV_STD, np.float32)[:, None, None]
    return np.ascontiguousarray(a, dtype=np.float32)


# ---- the torch modules, one per layer --------------------------------------------------


def make_module(kind, p, cin):
    if kind == "conv":
        return nn.Conv2d(cin, p["out"], p["k"], stride=p["stride"], padding=p["pad"], groups=p["groups"])
    if kind == "fc":
        return nn.Linear(cin, p["out"])
    if kind == "relu":
        return nn.ReLU()
    if kind == "lrn":
        return nn.LocalResponseNorm(p["size"], alpha=p["alpha"], beta=p["beta"], k=p["k"])
    if kind == "maxpool":
        return nn.MaxPool2d(p["k"], stride=p["stride"], ceil_mode=p["ceil"])
    if kind == "dropout":
        return nn.Dropout(p["ratio"])
    if kind == "softmax":
        return nn.Softmax(dim=1)
    raise ValueError(kind)


def out_size(n, p):
    """(n + 2p - k) / s + 1, rounded down, or up for a ceil_mode pool."""
    span = n + 2 * p.get("pad", 0) - p["k"]
    return (-(-span // p["stride"]) if p.get("ceil") else span // p["stride"]) + 1


class LayerNet(nn.Module):
    """The spec as one named torch module per layer (state_dict: conv1.weight ...).
    Flattens before the first fc, as Caffe's InnerProduct does."""

    def __init__(self, spec, in_shape):
        super().__init__()
        self.names = []
        c, h, w = in_shape
        for name, kind, p in spec:
            if kind == "fc":
                c, h, w = c * h * w, 1, 1
            self.add_module(name, make_module(kind, p, c))
            self.names.append(name)
            if kind == "conv":
                c, h, w = p["out"], out_size(h, p), out_size(w, p)
            elif kind == "maxpool":
                h, w = out_size(h, p), out_size(w, p)
            elif kind == "fc":
                c = p["out"]

    def layers(self, x):
        """Yields (name, output) for every layer; x is (1, C, H, W)."""
        for name in self.names:
            mod = getattr(self, name)
            if isinstance(mod, nn.Linear) and x.dim() > 2:
                x = torch.flatten(x, 1)
            x = mod(x)
            yield name, x

    def forward(self, x):
        for _, x in self.layers(x):
            pass
        return x


def round_weights(t):
    """float32 values that bfloat16 and float16 both hold exactly: round to nearest even
    bfloat16, flush magnitudes below 2^-14 (float16's subnormals lack bits) to zero."""
    a = np.ascontiguousarray(t.detach().cpu().numpy(), dtype=np.float32)
    u = a.view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    r = u.view(np.float32).copy()
    r[np.abs(r) < 2.0 ** -14] = 0.0
    assert np.all(np.isfinite(r)) and np.array_equal(r.astype(np.float16).astype(np.float32), r)
    return r


def init_weights(net, x, seed):
    """He-initialised weights (std sqrt(2 / fan_in)), set layer by layer on this input:
    each bias is N(0, (0.2 * rms of the layer's output))^2 so it matters but does not
    dominate, and fc8 is scaled so its logits have rms LOGIT_RMS. Returns
    {name: (w, b)} as float32 numpy arrays; net holds the same values (float64)."""
    torch.manual_seed(seed)
    net.eval()  # dropout off while the scales are measured
    out = OrderedDict()
    fcs = [n for n in net.names if isinstance(getattr(net, n), nn.Linear)]
    with torch.no_grad():
        for name in net.names:
            mod = getattr(net, name)
            if isinstance(mod, nn.Linear) and x.dim() > 2:
                x = torch.flatten(x, 1)
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                fan_in = mod.weight[0].numel()
                w = torch.randn(mod.weight.shape, dtype=torch.float64) * math.sqrt(2.0 / fan_in)
                mod.weight.copy_(w)
                mod.bias.zero_()
                rms = float(mod(x).pow(2).mean().sqrt())
                if name == fcs[-1]:
                    mod.weight.mul_(LOGIT_RMS / rms)
                    rms = LOGIT_RMS
                mod.bias.copy_(torch.randn(mod.bias.shape, dtype=torch.float64) * 0.2 * rms)
                w, b = round_weights(mod.weight), round_weights(mod.bias)
                mod.weight.copy_(torch.from_numpy(w))
                mod.bias.copy_(torch.from_numpy(b))
                out[name] = (w, b)
            x = mod(x)
    return out


def reference(net, x):
    """{name: float32 output without the batch axis}, computed in float64 in eval mode."""
    net.eval()
    with torch.no_grad():
        return OrderedDict((n, y[0].numpy().astype(np.float32))
                           for n, y in net.layers(torch.from_numpy(x).double()[None]))


def build(cfg, seed=SEED, image=CHELSEA):
    """Returns (input, LayerNet in float64, weights {name: (w, b)}, references)."""
    x = load_input(cfg["style"], cfg["size"], image)
    net = LayerNet(cfg["spec"], x.shape).double()
    weights = init_weights(net, torch.from_numpy(x).double()[None], seed)
    return x, net, weights, reference(net, x)


# ---- torchvision-style modules (for state_dict names and torch.onnx.export) ------------


class MatMulLinear(nn.Module):
    """A Linear written as x @ W^T + b, so the ONNX export has MatMul + Add, not Gemm."""

    def __init__(self, nin, nout):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(nout, nin))
        self.bias = nn.Parameter(torch.zeros(nout))

    def forward(self, x):
        return x @ self.weight.t() + self.bias


class TvAlexNet(nn.Module):
    """torchvision.models.AlexNet's structure (same state_dict keys, same export) with
    widths c and fc; matmul=True writes the classifier's Linears as MatMul."""

    def __init__(self, c, fc, matmul=False):
        super().__init__()
        lin = MatMulLinear if matmul else nn.Linear
        self.features = nn.Sequential(
            nn.Conv2d(3, c[0], 11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2),
            nn.Conv2d(c[0], c[1], 5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2),
            nn.Conv2d(c[1], c[2], 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c[2], c[3], 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c[3], c[4], 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), lin(c[4] * 36, fc[0]), nn.ReLU(inplace=True),
            nn.Dropout(0.5), lin(fc[0], fc[1]), nn.ReLU(inplace=True),
            lin(fc[1], fc[2]))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def tv_state_dict(weights):
    sd = OrderedDict()
    for name, (w, b) in weights.items():
        sd[TV_ALIAS[name] + ".weight"] = torch.from_numpy(w)
        sd[TV_ALIAS[name] + ".bias"] = torch.from_numpy(b)
    return sd


def check_tv_module(model, weights, x, refs):
    """Loads weights into a torchvision-structured model and checks that its logits equal
    our layer-by-layer fc8 (so the spec really is that module)."""
    model.load_state_dict(tv_state_dict(weights))
    model.eval().double()
    with torch.no_grad():
        logits = model(torch.from_numpy(x).double()[None])[0].numpy()
    err = np.abs(logits - refs["fc8"]).max() / np.abs(refs["fc8"]).max()
    assert err < 1e-6, "torchvision-style module disagrees with the layer spec (%g)" % err
    return model.float()


def export_onnx(model, x, path):
    model.eval().float()
    torch.onnx.export(model, torch.from_numpy(x)[None], path, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)


# ---- safetensors -----------------------------------------------------------------------


def encode_tensor(a, dtype):
    a = np.ascontiguousarray(a, dtype=np.float32)
    if dtype == "F32":
        return a.astype("<f4").tobytes()
    if dtype == "F16":
        return a.astype("<f2").tobytes()
    if dtype == "BF16":  # exact: the values are already bfloat16 numbers
        return (a.astype("<f4").view("<u4") >> 16).astype("<u2").tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors, dtype="F32", metadata=None):
    """tensors: {name: float32 array}. Data in name order (as safetensors' own writer
    does), header keys sorted, header padded with spaces to a multiple of 8."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        raw = encode_tensor(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def caffe_names(weights):
    t = {}
    for name, (w, b) in weights.items():
        t[name + ".weight"], t[name + ".bias"] = w, b
    return t


def tv_names(weights):
    t = {}
    for name, (w, b) in weights.items():
        t[TV_ALIAS[name] + ".weight"], t[TV_ALIAS[name] + ".bias"] = w, b
    return t


# ---- protobuf wire format (for .caffemodel) --------------------------------------------


def varint(n):
    if n < 0:
        n += 1 << 64  # int32 / int64 negatives are 10-byte two's complement
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_key(field, wire):
    return varint(field << 3 | wire)


def pb_int(field, v):
    return pb_key(field, 0) + varint(v)


def pb_bytes(field, b):
    return pb_key(field, 2) + varint(len(b)) + b


def pb_str(field, s):
    return pb_bytes(field, s.encode("utf-8"))


def pb_float(field, v):
    return pb_key(field, 5) + struct.pack("<f", v)


def pb_packed_floats(field, a):
    return pb_bytes(field, np.ascontiguousarray(a, dtype="<f4").tobytes())


def pb_unpacked_floats(field, a):
    key = pb_key(field, 5)
    return b"".join(key + struct.pack("<f", float(v)) for v in np.ravel(a))


def pb_packed_ints(field, vals):
    return pb_bytes(field, b"".join(varint(int(v)) for v in vals))


# caffe.proto numbers (alexnet-facts.md section 4, plus the parameter messages we add so a
# reader has to skip fields it does not know)
V1_TYPE = {"data": 5, "conv": 4, "dropout": 6, "fc": 14, "lrn": 15, "maxpool": 17, "relu": 18, "softmax": 20}
V2_TYPE = {"conv": "Convolution", "dropout": "Dropout", "fc": "InnerProduct", "lrn": "LRN",
           "maxpool": "Pooling", "relu": "ReLU", "softmax": "Softmax"}


def blob_v1(a):
    """BlobProto with legacy dims, right-aligned to 4: num 1, channels 2, height 3, width 4."""
    dims = [1] * (4 - a.ndim) + list(a.shape)
    return b"".join(pb_int(i + 1, d) for i, d in enumerate(dims)) + pb_packed_floats(5, a)


def blob_v2(a, unpacked=False):
    """BlobProto with shape 7 (BlobShape: dim 1, packed int64) and data 5."""
    data = pb_unpacked_floats(5, a) if unpacked else pb_packed_floats(5, a)
    return pb_bytes(7, pb_packed_ints(1, a.shape)) + data


def layer_param_v1(kind, p):
    """The V1 *_param sub-message (field number, bytes) a real prototxt would carry."""
    if kind == "conv":
        return 10, pb_int(1, p["out"]) + pb_int(3, p["pad"]) + pb_int(4, p["k"]) + pb_int(5, p["groups"]) + pb_int(6, p["stride"])
    if kind == "fc":
        return 17, pb_int(1, p["out"])
    if kind == "lrn":
        return 18, pb_int(1, p["size"]) + pb_float(2, p["alpha"]) + pb_float(3, p["beta"])
    if kind == "maxpool":
        return 19, pb_int(1, 0) + pb_int(2, p["k"]) + pb_int(3, p["stride"])
    if kind == "dropout":
        return 12, pb_float(1, p["ratio"])
    return None, b""


def layer_param_v2(kind, p):
    if kind == "conv":
        return 106, pb_int(1, p["out"]) + pb_int(3, p["pad"]) + pb_int(4, p["k"]) + pb_int(5, p["groups"]) + pb_int(6, p["stride"])
    if kind == "fc":
        return 117, pb_int(1, p["out"])
    if kind == "lrn":
        return 118, pb_int(1, p["size"]) + pb_float(2, p["alpha"]) + pb_float(3, p["beta"]) + pb_float(5, p["k"])
    if kind == "maxpool":
        return 121, pb_int(1, 0) + pb_int(2, p["k"]) + pb_int(3, p["stride"])
    if kind == "dropout":
        return 108, pb_float(1, p["ratio"])
    return None, b""


def write_caffemodel(path, spec, weights, version, net_name="AlexNet", unpacked=()):
    """version 1: NetParameter.layers (2) of V1LayerParameter as in bvlc_alexnet.caffemodel
    (2014): name 4, type 5 (enum), bottom 2, top 3, blobs 6 with legacy 4-D dims,
    blobs_lr 7, weight_decay 8. version 2: NetParameter.layer (100) of LayerParameter:
    name 1, type 2 (string), bottom 3, top 4, param 6, blobs 7 with BlobShape.
    Layers named in unpacked store their blobs' floats unpacked (wire type 5)."""
    out = [pb_str(1, net_name)]
    bottom = "data"
    if version == 1:
        layer = pb_str(4, "data") + pb_int(5, V1_TYPE["data"]) + pb_str(3, "data")
        out.append(pb_bytes(2, layer))
    else:
        shape = pb_packed_ints(1, [10, 3, 227, 227])
        layer = pb_str(1, "data") + pb_str(2, "Input") + pb_str(4, "data") + pb_bytes(143, pb_bytes(1, shape))
        out.append(pb_bytes(100, layer))
    for name, kind, p in spec:
        top = bottom if kind in ("relu", "dropout") else name  # in-place like Caffe
        if version == 1:
            layer = pb_str(2, bottom) + pb_str(3, top) + pb_str(4, name) + pb_int(5, V1_TYPE[kind])
            if name in weights:
                w, b = weights[name]
                layer += pb_bytes(6, blob_v1(w)) + pb_bytes(6, blob_v1(b))
                layer += pb_float(7, 1.0) + pb_float(7, 2.0) + pb_float(8, 1.0) + pb_float(8, 0.0)
            field, param = layer_param_v1(kind, p)
        else:
            layer = pb_str(1, name) + pb_str(2, V2_TYPE[kind]) + pb_str(3, bottom) + pb_str(4, top)
            if name in weights:
                w, b = weights[name]
                layer += pb_bytes(6, pb_float(3, 1.0) + pb_float(4, 1.0))
                layer += pb_bytes(6, pb_float(3, 2.0) + pb_float(4, 0.0))
                layer += pb_bytes(7, blob_v2(w, name in unpacked)) + pb_bytes(7, blob_v2(b, name in unpacked))
            field, param = layer_param_v2(kind, p)
        if field:
            layer += pb_bytes(field, param)
        out.append(pb_bytes(2 if version == 1 else 100, layer))
        bottom = top
    with open(path, "wb") as f:
        for chunk in out:
            f.write(chunk)


# ---- ONNX in the Model Zoo's style (bvlcalexnet-9) -------------------------------------


def write_zoo_onnx(path, spec, weights, float_data=("conv2", "conv4", "fc6", "fc8"), input_size=224):
    """Caffe2-converted style: input data_0 (1, 3, 224, 224), initializers conv1_w_0 /
    conv1_b_0 ... fc8_b_0 plus an int64 Reshape shape, opset 9, initializers also listed as
    graph inputs; pools pad their end where Caffe's ceil rounding needs it at 224 (the C
    side runs them at 227, where it does not matter). Layers in float_data store their
    tensors in float_data, the rest in raw_data."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, inputs = [], [], []
    size = input_size
    x = "data_0"
    for name, kind, p in spec:
        if kind == "conv":
            w, b = weights[name]
            for t, suffix in ((w, "_w_0"), (b, "_b_0")):
                if name in float_data:
                    tp = helper.make_tensor(name + suffix, TensorProto.FLOAT, t.shape, t.ravel().tolist())
                else:
                    tp = numpy_helper.from_array(t, name + suffix)
                inits.append(tp)
            attrs = dict(kernel_shape=[p["k"]] * 2, strides=[p["stride"]] * 2, pads=[p["pad"]] * 4, dilations=[1, 1])
            if p["groups"] != 1:
                attrs["group"] = p["groups"]
            nodes.append(helper.make_node("Conv", [x, name + "_w_0", name + "_b_0"], [name + "_1"], **attrs))
            x = name + "_1"
            size = (size + 2 * p["pad"] - p["k"]) // p["stride"] + 1
        elif kind == "relu":
            src = x.rsplit("_", 1)[0]
            nodes.append(helper.make_node("Relu", [x], [src + "_2"]))
            x = src + "_2"
        elif kind == "lrn":
            nodes.append(helper.make_node("LRN", [x], [name + "_1"], size=p["size"], alpha=p["alpha"], beta=p["beta"], bias=p["k"]))
            x = name + "_1"
        elif kind == "maxpool":
            full = -(-(size - p["k"]) // p["stride"]) + 1
            end = (full - 1) * p["stride"] + p["k"] - size
            nodes.append(helper.make_node("MaxPool", [x], [name + "_1"], kernel_shape=[p["k"]] * 2,
                                          strides=[p["stride"]] * 2, pads=[0, 0, end, end]))
            x = name + "_1"
            size = full
        elif kind == "fc":
            w, b = weights[name]
            if len(nodes) and nodes[-1].op_type == "MaxPool":
                shape = numpy_helper.from_array(np.array([1, w.shape[1]], np.int64), "OC2_DUMMY_1")
                inits.append(shape)
                nodes.append(helper.make_node("Reshape", [x, "OC2_DUMMY_1"], ["OC2_DUMMY_0"]))
                x = "OC2_DUMMY_0"
            for t, suffix in ((w, "_w_0"), (b, "_b_0")):
                if name in float_data:
                    tp = helper.make_tensor(name + suffix, TensorProto.FLOAT, t.shape, t.ravel().tolist())
                else:
                    tp = numpy_helper.from_array(t, name + suffix)
                inits.append(tp)
            nodes.append(helper.make_node("Gemm", [x, name + "_w_0", name + "_b_0"], [name + "_1"],
                                          alpha=1.0, beta=1.0, transB=1))
            x = name + "_1"
        elif kind == "dropout":
            src = x.rsplit("_", 1)[0]
            nodes.append(helper.make_node("Dropout", [x], [src + "_3", "_" + src + "_mask_1"], ratio=p["ratio"]))
            x = src + "_3"
        elif kind == "softmax":
            nodes.append(helper.make_node("Softmax", [x], ["prob_1"]))
            x = "prob_1"
    for t in inits:
        inputs.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
    data = helper.make_tensor_value_info("data_0", TensorProto.FLOAT, [1, 3, input_size, input_size])
    out = helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, spec[-2][2]["out"]])
    graph = helper.make_graph(nodes, "main_graph", [data] + inputs, [out], initializer=inits)
    model = helper.make_model(graph, producer_name="onnx-caffe2", opset_imports=[helper.make_opsetid("", 9)])
    model.ir_version = 4
    onnx.checker.check_model(model)
    onnx.save(model, path)
    # read back: every weight tensor round-trips exactly
    back = {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
    for name, (w, b) in weights.items():
        assert np.array_equal(back[name + "_w_0"], w) and np.array_equal(back[name + "_b_0"], b)


# ---- output ----------------------------------------------------------------------------


def write_refs(outdir, x, refs):
    os.makedirs(outdir, exist_ok=True)
    np.save(os.path.join(outdir, "input.npy"), x)
    for name, y in refs.items():
        np.save(os.path.join(outdir, name + ".npy"), np.ascontiguousarray(y, dtype=np.float32))


def write_caffe_files(d, prefix, cfg, weights):
    """Every Caffe-named format of one network: returns the file names written."""
    meta = {"format": "pt", "arch": prefix}
    files = {prefix + ".safetensors": "F32", prefix + "-f16.safetensors": "F16", prefix + "-bf16.safetensors": "BF16"}
    for fname, dtype in files.items():
        write_safetensors(os.path.join(d, fname), caffe_names(weights), dtype, meta)
    write_caffemodel(os.path.join(d, prefix + "-v1.caffemodel"), cfg["spec"], weights, 1)
    write_caffemodel(os.path.join(d, prefix + "-v2.caffemodel"), cfg["spec"], weights, 2, unpacked=("fc8",))
    write_zoo_onnx(os.path.join(d, prefix + "-zoo.onnx"), cfg["spec"], weights)
    return list(files) + [prefix + "-v1.caffemodel", prefix + "-v2.caffemodel", prefix + "-zoo.onnx"]


def write_tv_files(d, prefix, cfg, weights, x, refs, model=None, matmul_model=None):
    """torchvision-named safetensors and torch.onnx.export files (Gemm, and MatMul if a
    matmul_model is given). model defaults to TvAlexNet with the spec's widths."""
    write_safetensors(os.path.join(d, prefix + ".safetensors"), tv_names(weights), "F32", {"format": "pt"})
    model = check_tv_module(model, weights, x, refs)
    export_onnx(model, x, os.path.join(d, prefix + ".onnx"))
    files = [prefix + ".safetensors", prefix + ".onnx"]
    if matmul_model is not None:
        matmul_model = check_tv_module(matmul_model, weights, x, refs)
        export_onnx(matmul_model, x, os.path.join(d, prefix + "-matmul.onnx"))
        files.append(prefix + "-matmul.onnx")
    return files


def widths(spec):
    conv = [p["out"] for _, k, p in spec if k == "conv"]
    fc = [p["out"] for _, k, p in spec if k == "fc"]
    return conv, fc


def main():
    root = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "fixtures", "golden")
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    d = os.path.join(out, "mini")
    x, net, weights, refs = build(MINI)
    write_refs(d, x, refs)
    files = write_caffe_files(d, "mini", MINI, weights)
    report(d, files, refs)

    d = os.path.join(out, "mini-tv")
    x, net, weights, refs = build(MINI_TV, seed=SEED + 1)
    write_refs(d, x, refs)
    c, fc = widths(MINI_TV["spec"])
    files = write_tv_files(d, "mini-tv", MINI_TV, weights, x, refs,
                           TvAlexNet(c, fc), TvAlexNet(c, fc, matmul=True))
    report(d, files, refs)


def report(d, files, refs):
    total = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print("%s: %d bytes in %d files" % (d, total, len(os.listdir(d))))
    for f in files:
        print("  %-24s %8d bytes" % (f, os.path.getsize(os.path.join(d, f))))
    for name, y in refs.items():
        print("  %-6s %-14s max |y| %.4g" % (name, "x".join(map(str, y.shape)), float(np.abs(y).max())))


if __name__ == "__main__":
    main()
