#!/usr/bin/python3
"""Developer-only check of the full-size networks against PyTorch, through the CLI.

Builds the 2012 alexnet (96/256/384/384/256, groups 2, LRN, ceil pools, input 227) and
torchvision.models.alexnet() (input 224) with seeded He-initialised weights (rounded to
bfloat16 precision, so the F32 / F16 / BF16 files hold the same numbers), writes them in
every format alexscope reads, computes every layer's output in float64, and then for
each file runs

    BUILD/alexscope dump --input-npy IN.npy --layer all --out DIR --weights FILE --arch A

and compares DIR/LAYER.npy with the reference: max |ours - ref| / max |ref| must be
<= 1e-4 for every layer. It also measures the peak resident memory of
`alexscope run IMAGE --weights FILE` with /usr/bin/time -v (Debian package `time`).

    /usr/bin/python3 tools/check_fullsize.py [--build DIR] [--work DIR [--reuse]] [--keep] [--no-rss]

The files need about 2 GB in the work directory (default: a new directory under
$TMPDIR, removed at the end unless --keep). Exit status 1 if any layer of any file is
off by more than the tolerance or a run fails. The weight writers are those of
tests/gen_golden.py, which makes the small committed fixtures the same way.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import gen_golden as g  # noqa: E402

TOLERANCE = 1e-4
SEED = 1998


def prepare(work):
    """Writes both networks' files and references; returns [(arch, dir, [files])]."""
    nets = []

    d = os.path.join(work, "alexnet")
    cfg = dict(name="alexnet", spec=g.caffe_spec(), size=227, style="caffe")
    t = time.time()
    x, net, weights, refs = g.build(cfg, seed=SEED)
    g.write_refs(os.path.join(d, "ref"), x, refs)
    files = g.write_caffe_files(d, "alexnet", cfg, weights)
    print("alexnet: %d files in %.0f s" % (len(files), time.time() - t), flush=True)
    nets.append(("alexnet", d, files))
    del net, weights, refs

    d = os.path.join(work, "alexnet-tv")
    cfg = dict(name="alexnet-tv", spec=g.tv_spec(), size=224, style="tv")
    t = time.time()
    x, net, weights, refs = g.build(cfg, seed=SEED + 1)
    g.write_refs(os.path.join(d, "ref"), x, refs)
    c, fc = g.widths(cfg["spec"])
    files = g.write_tv_files(d, "alexnet-tv", cfg, weights, x, refs,
                             torchvision.models.alexnet(weights=None),
                             g.TvAlexNet(c, fc, matmul=True))
    print("alexnet-tv: %d files in %.0f s" % (len(files), time.time() - t), flush=True)
    nets.append(("alexnet-tv", d, files))
    return nets


def rel_error(ours, ref):
    scale = max(float(np.abs(ref.astype(np.float64)).max()), 1e-30)
    return float(np.abs(ours.astype(np.float64) - ref.astype(np.float64)).max()) / scale


def compare(binary, arch, d, fname):
    """Runs dump for one file; returns ({layer: error or None}, message or None)."""
    out = os.path.join(d, "dump-" + fname)
    os.makedirs(out, exist_ok=True)
    cmd = [binary, "dump", "--input-npy", os.path.join(d, "ref", "input.npy"), "--layer", "all",
           "--out", out, "--weights", os.path.join(d, fname), "--arch", arch]
    t = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.time() - t
    if r.returncode != 0:
        return {}, "exit %d: %s" % (r.returncode, (r.stderr or r.stdout).strip()[-400:])
    errs = {}
    for f in sorted(os.listdir(os.path.join(d, "ref"))):
        name = f[:-4]
        if name == "input":
            continue
        ref = np.load(os.path.join(d, "ref", f))
        mine = os.path.join(out, f)
        if not os.path.exists(mine):
            errs[name] = None
            continue
        ours = np.load(mine)
        errs[name] = rel_error(ours, ref) if ours.shape == ref.shape else ("shape", ours.shape, ref.shape)
    shutil.rmtree(out)
    return errs, "%.1f s" % secs


def peak_rss(binary, arch, path, image):
    """Peak resident set (KiB) of `alexscope run IMAGE --weights path` via GNU time."""
    r = subprocess.run(["/usr/bin/time", "-v", binary, "run", image, "--weights", path, "--arch", arch],
                       capture_output=True, text=True)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    top = r.stdout.strip().splitlines()[1:2] if r.returncode == 0 else [r.stderr.strip().splitlines()[0]]
    return (int(m.group(1)) if m else None), r.returncode, (top[0].strip() if top else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="build directory holding alexscope")
    ap.add_argument("--work", help="where to write the files (default: a new temporary directory)")
    ap.add_argument("--reuse", action="store_true", help="use the files an earlier run left in --work")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--no-rss", action="store_true", help="skip the peak-memory runs")
    args = ap.parse_args()

    binary = os.path.join(args.build, "alexscope")
    if not os.access(binary, os.X_OK):
        sys.exit("%s: not built (cmake --build %s)" % (binary, args.build))
    if not args.no_rss and not os.access("/usr/bin/time", os.X_OK):
        sys.exit("/usr/bin/time is missing: apt-get install time (or pass --no-rss)")
    work = args.work or tempfile.mkdtemp(prefix="alexscope-fullsize-")
    os.makedirs(work, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    failed = 0
    listing = os.path.join(work, "nets.json")
    try:
        if args.reuse and os.path.exists(listing):
            with open(listing) as f:
                nets = json.load(f)
        else:
            nets = prepare(work)
            with open(listing, "w") as f:
                json.dump(nets, f)
        for arch, d, files in nets:
            results = {}
            for fname in files:
                errs, msg = compare(binary, arch, d, fname)
                results[fname] = errs
                worst = max((e for e in errs.values() if isinstance(e, float)), default=float("nan"))
                bad = [n for n, e in errs.items() if not (isinstance(e, float) and e <= TOLERANCE)]
                status = "FAIL" if bad or not errs else "ok"
                failed += status == "FAIL"
                print("%-4s %-26s worst %.3g  (%s)%s" % (status, fname, worst, msg,
                      ("  bad: " + ", ".join(bad)) if bad else ""), flush=True)
            print_table(arch, d, files, results)
        if not args.no_rss:
            print("\npeak resident memory of `alexscope run %s --weights FILE`:" % os.path.basename(g.CHELSEA))
            for arch, d, files in nets:
                for fname in files:
                    kib, rc, line = peak_rss(binary, arch, os.path.join(d, fname), g.CHELSEA)
                    size = os.path.getsize(os.path.join(d, fname))
                    print("  %-26s file %6.1f MiB  peak RSS %s  %s" % (
                        fname, size / 2**20, ("%.1f MiB" % (kib / 1024)) if kib else "?",
                        ("exit %d: " % rc if rc else "") + line), flush=True)
                    failed += rc != 0
    finally:
        if args.keep or args.work:
            print("files kept in", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\n%s" % ("all within %g" % TOLERANCE if not failed else "%d FAILED" % failed))
    return 1 if failed else 0


def print_table(arch, d, files, results):
    """Layers down, files across: the relative error of each."""
    names = [n for n, _, _ in (g.caffe_spec() if arch == "alexnet" else g.tv_spec())]
    short = []
    for f in files:  # "alexnet-v1.caffemodel" -> "v1.caffemodel", "alexnet.safetensors" -> "safetensors"
        base, _, ext = f[len(arch):].lstrip("-").rpartition(".")
        short.append((base + "." if base else "") + {"safetensors": "st", "caffemodel": "caffe"}.get(ext, ext))
    print("\n%s: relative error per layer" % arch)
    print("  %-6s" % "layer" + "".join(" %12s" % s[:12] for s in short))
    for n in names:
        cells = []
        for f in files:
            e = results[f].get(n, "-")
            cells.append("%12s" % ("%.2e" % e if isinstance(e, float) else "missing" if e is None else
                                   "shape" if isinstance(e, tuple) else e))
        print("  %-6s" % n + " " + " ".join(cells))


if __name__ == "__main__":
    sys.exit(main())
