#!/usr/bin/python3
"""Writes tests/fixtures/backward/: PyTorch autograd's gradients for every layer kind, for a
whole reduced AlexNet with a cross-entropy loss, and saliency maps of the full `alexnet`
at 227 with the three ReLU rules (issue 10).

    /usr/bin/python3 tests/gen_backward.py [--bin build/alexscope] [OUTDIR]

Needs Debian's python3-torch and -numpy, tests/gen_golden.py (imported: its networks and
input) and a built alexscope (for the built-in alexnet weights). CI never runs it: the tests
read the committed files. The output is deterministic.

  LAYER/      one layer kind (tests/io/test_backward_torch.c has the same table):
              x.npy, dy.npy, dx.npy and, for conv / fc, w.npy, b.npy, dw.npy, db.npy;
              softmax-ce has label.npy instead of dy.npy. Inputs are float32 numbers,
              gradients computed in float64 and stored as float32.
  mini/       the golden `mini` network (tests/fixtures/golden/mini: its input.npy and
              mini.safetensors), loss = cross-entropy against class LABEL, dropout in TRAIN
              mode with alexscope's own masks (splitmix64, seed 1 + layer index, as
              src/nn/kernels/dropout.c draws them): dinput.npy, LAYER.dw.npy, LAYER.db.npy
              for every conv / fc, loss.npy.
  alexnet/    saliency of the full `alexnet` (built-in weights, seed 42, written by
              `alexscope dump --save-weights`), on the golden mini/input.npy (the cat,
              Caffe preprocessing, 3x227x227): d fc8[K] / d input with K the top class,
              for gradient, guided (Springenberg et al.: ReLU backward hook clamping the
              gradient at 0) and deconv (Zeiler & Fergus: the hook ignores the forward
              input and passes max(dy, 0)). class.npy holds K. The ReLUs' on/off
              patterns and the max pools' argmaxes are alexscope's (see write_alexnet). Each map is stored whole in
              float32 (3x227x227, 618 KB): the test's tolerance, 1e-4 of the map's max, is
              finer than float16 could store, and the input is the golden one, so nothing
              else at full size is committed. The weights (244 MB) are not: they are
              alexscope's deterministic built-in ones, rebuilt by the test.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_golden as g  # noqa: E402

SEED = 10
LABEL = 3  # the mini network's cross-entropy target
MASK64 = (1 << 64) - 1

# ---- alexscope's dropout mask (src/base/rng.c, src/nn/kernels/dropout.c) --------------------


def splitmix_uniform(seed, n):
    """n draws of rng_uniform from state seed: (splitmix64 >> 40) / 2^24, as float32."""
    s, out = seed, np.empty(n, np.float32)
    for i in range(n):
        s = (s + 0x9E3779B97F4A7C15) & MASK64
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        z ^= z >> 31
        out[i] = np.float32(z >> 40) / np.float32(16777216.0)
    return out


def our_mask(seed, n, ratio):
    return (splitmix_uniform(seed, n) < np.float32(1.0) - np.float32(ratio)).astype(np.float64)


class MaskDropout(nn.Module):
    """Train-mode dropout with a given mask (1 = kept), scaled by 1/(1 - ratio)."""

    def __init__(self, mask, ratio):
        super().__init__()
        self.mask, self.scale = torch.from_numpy(mask), 1.0 / (1.0 - ratio)

    def forward(self, x):
        return x * self.mask.reshape(x.shape) * self.scale


# ---- one layer kind at a time ------------------------------------------------------------------


def f32(a):
    return np.ascontiguousarray(a, dtype=np.float32)


def randn(gen, *shape, scale=1.0):
    return f32(torch.randn(*shape, generator=gen, dtype=torch.float64).numpy() * scale)


def layer_cases(gen):
    """(name, x, params, forward(x, w, b) in float64, has weights)"""
    conv = lambda s, p, gr: (lambda x, w, b: F.conv2d(x, w, b, stride=s, padding=p, groups=gr))
    lrn = lambda n, a, be, k: (lambda x, w, b: F.local_response_norm(x, n, alpha=a, beta=be, k=k))
    return [
        ("conv", randn(gen, 1, 4, 7, 7), dict(w=(6, 2, 3, 3)), conv(2, 1, 2)),
        ("conv-k5", randn(gen, 1, 3, 6, 6), dict(w=(4, 3, 5, 5)), conv(1, 2, 1)),
        ("relu", randn(gen, 1, 3, 4, 4), {}, lambda x, w, b: F.relu(x)),
        ("tanh", randn(gen, 1, 2, 3, 3), {}, lambda x, w, b: torch.tanh(x)),
        # AlexNet's LRN on Caffe-scale activations (where the squares matter), and n = 4
        ("lrn", randn(gen, 1, 7, 3, 3, scale=60.0), {}, lrn(5, 1e-4, 0.75, 1.0)),
        ("lrn-n4", randn(gen, 1, 6, 2, 2), {}, lrn(4, 2.0, 0.6, 1.0)),
        ("maxpool-ceil", randn(gen, 1, 2, 6, 6), {}, lambda x, w, b: F.max_pool2d(x, 3, 2, ceil_mode=True)),
        ("maxpool-floor", randn(gen, 1, 2, 6, 6), {}, lambda x, w, b: F.max_pool2d(x, 3, 2)),
        ("maxpool-pad", randn(gen, 1, 2, 5, 5), {}, lambda x, w, b: F.max_pool2d(x, 3, 2, padding=1)),
        ("avgpool-ceil", randn(gen, 1, 2, 6, 6), {},
         lambda x, w, b: F.avg_pool2d(x, 3, 2, padding=1, ceil_mode=True, count_include_pad=True)),
        ("avgpool-floor", randn(gen, 1, 2, 5, 5), {}, lambda x, w, b: F.avg_pool2d(x, 2, 2)),
        ("fc", randn(gen, 1, 3, 2, 2), dict(w=(5, 12)),
         lambda x, w, b: F.linear(torch.flatten(x, 1), w, b)),
        # train mode, alexscope's mask for seed 99 (the test sets dropout_seed 99, layer 0)
        ("dropout", randn(gen, 1, 2, 4, 4), {},
         lambda x, w, b: MaskDropout(our_mask(99, 32, 0.5), 0.5)(x)),
        ("softmax", randn(gen, 1, 6), {}, lambda x, w, b: F.softmax(x, dim=1)),
    ]


def write_layer_cases(out, gen):
    for name, x, p, fwd in layer_cases(gen):
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        xt = torch.from_numpy(x).double().requires_grad_()
        w = b = None
        files = {"x": x[0]}
        if "w" in p:
            files["w"], files["b"] = randn(gen, *p["w"], scale=0.5), randn(gen, p["w"][0], scale=0.2)
            w = torch.from_numpy(files["w"]).double().requires_grad_()
            b = torch.from_numpy(files["b"]).double().requires_grad_()
        y = fwd(xt, w, b)
        dy = randn(gen, *y.shape)
        y.backward(torch.from_numpy(dy).double())
        files["dy"], files["dx"] = dy[0], f32(xt.grad[0])
        if w is not None:
            files["dw"], files["db"] = f32(w.grad), f32(b.grad)
        for k, a in files.items():
            np.save(os.path.join(d, k + ".npy"), f32(a))
        print("  %-14s x %-10s max |dx| %.4g" % (name, "x".join(map(str, x.shape[1:])),
                                                 float(np.abs(files["dx"]).max())))
    # softmax + cross-entropy from the logits
    d = os.path.join(out, "softmax-ce")
    os.makedirs(d, exist_ok=True)
    x = randn(gen, 1, 10, scale=2.0)
    xt = torch.from_numpy(x).double().requires_grad_()
    F.cross_entropy(xt, torch.tensor([LABEL])).backward()
    np.save(os.path.join(d, "x.npy"), x[0])
    np.save(os.path.join(d, "label.npy"), np.array([LABEL], np.float32))
    np.save(os.path.join(d, "dx.npy"), f32(xt.grad[0]))


# ---- the mini network, whole, with the loss -----------------------------------------------------


def write_mini(out, golden):
    x, net, weights, _ = g.build(g.MINI)
    committed = np.load(os.path.join(golden, "mini", "input.npy"))
    assert np.array_equal(x, committed), "gen_golden's input differs from the committed one"
    # alexscope's train-mode masks: dropout_seed 1 + the layer's index in the table
    for i, (name, kind, p) in enumerate(g.MINI["spec"]):
        if kind == "dropout":
            n = p_count(net, name, x)
            setattr(net, name, MaskDropout(our_mask(1 + i, n, p["ratio"]), p["ratio"]))
    net.prob = nn.Identity()  # the loss takes fc8's logits
    xt = torch.from_numpy(x).double()[None].requires_grad_()
    loss = F.cross_entropy(net(xt), torch.tensor([LABEL]))
    loss.backward()
    d = os.path.join(out, "mini")
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "dinput.npy"), f32(xt.grad[0]))
    np.save(os.path.join(d, "loss.npy"), np.array([loss.item()], np.float32))
    for name in weights:
        mod = getattr(net, name)
        np.save(os.path.join(d, name + ".dw.npy"), f32(mod.weight.grad))
        np.save(os.path.join(d, name + ".db.npy"), f32(mod.bias.grad))
    print("  mini: loss %.6f, max |dinput| %.4g" % (loss.item(), float(xt.grad.abs().max())))


def p_count(net, name, x):
    """Elements of the input of layer name (= its output) for input x."""
    with torch.no_grad():
        for n, y in net.layers(torch.from_numpy(x).double()[None]):
            if n == name:
                return y.numel()
    raise KeyError(name)


# ---- alexnet saliency ----------------------------------------------------------------------------


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        assert v["dtype"] == "F32", k
        a, b = v["data_offsets"]
        out[k] = np.frombuffer(data[a:b], "<f4").reshape(v["shape"])
    return out


def relu_hook(method):
    """A ReLU backward hook: guided passes dy·[x > 0]·[dy > 0], deconv max(dy, 0)."""
    def hook(mod, grad_in, grad_out):
        if method == "guided":
            return (grad_in[0].clamp(min=0),)
        return (grad_out[0].clamp(min=0),)
    return hook


class SwitchReLU(nn.ReLU):
    """A ReLU whose on/off pattern is given (alexscope's): y = x · mask, so dx = dy · mask."""

    def __init__(self, mask):
        super().__init__()
        self.mask = torch.from_numpy(mask)

    def forward(self, x):
        return x * self.mask


class SwitchMaxPool(nn.Module):
    """A max pool whose argmax per window is given (flat indices into the input plane)."""

    def __init__(self, idx):
        super().__init__()
        self.idx = torch.from_numpy(idx)

    def forward(self, x):
        n, c, ho, wo = self.idx.shape
        return x.flatten(2).gather(2, self.idx.flatten(2)).reshape(n, c, ho, wo)


def first_argmax(a, p, ho, wo):
    """Flat indices (1, C, ho, wo) of each k x k / stride window's maximum in a (C, H, W),
    the first one row by row on ties: maxpool's rule in src/nn/kernels/pool.c."""
    c, h, w = a.shape
    k, s = p["k"], p["stride"]
    idx = np.zeros((1, c, ho, wo), np.int64)
    for y in range(ho):
        for x in range(wo):
            y0, x0 = y * s, x * s
            win = a[:, y0:min(y0 + k, h), x0:min(x0 + k, w)]
            kh, kw = win.shape[1], win.shape[2]
            j = win.reshape(c, -1).argmax(axis=1)  # numpy: the first maximum
            idx[0, :, y, x] = (y0 + j // kw) * w + x0 + j % kw
    return idx


def alexnet_net(tensors, x, switches=None):
    """The full alexnet in float64 with alexscope's weights; with switches (alexscope's own
    layer outputs, {name: array}) every ReLU and max pool takes its on/off pattern and argmax
    from them instead of from its float64 input."""
    spec = g.caffe_spec()
    net = g.LayerNet(spec, x.shape).double()
    with torch.no_grad():
        for name in net.names:
            mod = getattr(net, name)
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                mod.weight.copy_(torch.from_numpy(tensors[name + ".weight"].reshape(mod.weight.shape).copy()))
                mod.bias.copy_(torch.from_numpy(tensors[name + ".bias"].copy()))
    if switches is not None:
        for i, (name, kind, p) in enumerate(spec):
            below = switches[spec[i - 1][0]]  # this layer's input as alexscope computed it
            if kind == "relu":
                setattr(net, name, SwitchReLU((below > 0).astype(np.float64).reshape((1,) + below.shape)))
            elif kind == "maxpool":
                ho, wo = switches[name].shape[1:]
                setattr(net, name, SwitchMaxPool(first_argmax(below, p, ho, wo)))
    net.prob = nn.Identity()  # d fc8[K], the score before the softmax
    net.eval()
    return net


def saliency(net, x, k, method):
    hooks = []
    if method != "gradient":
        hooks = [m.register_full_backward_hook(relu_hook(method)) for m in net.modules() if isinstance(m, nn.ReLU)]
    xt = torch.from_numpy(x).double()[None].requires_grad_()
    net(xt)[0, k].backward()
    for h in hooks:
        h.remove()
    return xt.grad[0].numpy()


def write_alexnet(out, golden, binary):
    """The saliency maps. A float32 engine and float64 PyTorch disagree on a few of the
    million ReLUs and max-pool windows: those whose input is within float32 rounding of 0
    (or of a tie). The map is not continuous there (one ReLU switching on adds its whole
    path to the gradient), so PyTorch float32 itself differs from float64 by several % of
    the max (printed below). The reference therefore takes each ReLU's on/off pattern and
    each max pool's argmax from alexscope's own forward pass (`alexscope dump`, naive
    engine; its forward agrees with PyTorch to ~1e-6, tests/io/test_golden.c) and
    computes everything else - every conv, LRN, fc and pool gradient - in float64 autograd."""
    npy = os.path.join(golden, "mini", "input.npy")
    x = np.load(npy)
    with tempfile.TemporaryDirectory() as tmp:
        wpath = os.path.join(tmp, "alexnet.safetensors")
        subprocess.run([binary, "dump", "--arch", "alexnet", "--input-npy", npy, "--layer", "all",
                        "--out", tmp, "--save-weights", wpath], check=True, stdout=subprocess.DEVNULL)
        tensors = read_safetensors(wpath)
        ours = {name: np.load(os.path.join(tmp, name + ".npy")) for name, _, _ in g.caffe_spec()}
    plain, switched = alexnet_net(tensors, x), alexnet_net(tensors, x, ours)
    d = os.path.join(out, "alexnet")
    os.makedirs(d, exist_ok=True)
    with torch.no_grad():
        k = int(switched(torch.from_numpy(x).double()[None])[0].argmax())
        assert k == int(plain(torch.from_numpy(x).double()[None])[0].argmax())
    np.save(os.path.join(d, "class.npy"), np.array([k], np.float32))
    for method in ("gradient", "guided", "deconv"):
        gmap = saliency(switched, x, k, method)
        free = saliency(plain, x, k, method)
        np.save(os.path.join(d, method + ".npy"), f32(gmap))
        print("  alexnet %-8s class %d, max |grad| %.4g; plain float64 PyTorch differs by %.2g of the max" %
              (method, k, float(np.abs(gmap).max()), float(np.abs(free - gmap).max() / np.abs(gmap).max())))


def main():
    args = sys.argv[1:]
    root = os.path.dirname(os.path.abspath(__file__))
    binary = os.path.join(root, "..", "build", "alexscope")
    if args[:1] == ["--bin"]:
        binary, args = args[1], args[2:]
    out = args[0] if args else os.path.join(root, "fixtures", "backward")
    golden = os.path.join(root, "fixtures", "golden")
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    gen = torch.Generator().manual_seed(SEED)
    print(out)
    write_layer_cases(out, gen)
    write_mini(out, golden)
    write_alexnet(out, golden, binary)


if __name__ == "__main__":
    main()
