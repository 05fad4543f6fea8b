#!/usr/bin/python3
"""Exports a shipped cellkiosk model (NucleusNet) to TorchScript and ONNX for serving engines (Triton, KServe).

Usage:  /usr/bin/python3 scripts/export_model.py [MODEL_DIR]      (default: models/nuclear)

Reads MODEL_DIR/model.json ("widths", "in_channels", "weights", "name") and the weights archive written by the
C++ trainer (`torch::save(module, "weights.pt")`, parameters and buffers by name, e.g. `enc0a_conv.weight`,
`enc0a_bn.running_mean`), rebuilds the same architecture as src/model/network.cpp (NucleusNet: U-Net / FPN,
Ronneberger et al. 2015; deep watershed heads of Bannon et al. 2021, DeepCell Kiosk) in eval mode, and writes

  MODEL_DIR/<name>.torchscript.pt   torch.jit.script + torch.jit.freeze (BatchNorm folded by freeze);
                                    dynamic N, H, W; model.json embedded as extra file "model.json"
  MODEL_DIR/<name>.onnx             torch.onnx.export, opset 13, input "image", output "maps", dynamic N, H, W

Both take `image`: N×1×H×W float32, H and W multiples of 2^(levels-1) (16 for 5 levels), each image
percentile-normalized ((x - P1) / (P99.8 - P1), see model.json "input"), and return `maps`: N×3×H×W float32,
channel 0 inner distance and 1 outer distance (already sigmoid-activated, in [0, 1]), channel 2 foreground as a
LOGIT (apply sigmoid yourself) - identical semantics to the C++ NucleusNet::forward.

The script checks TorchScript (frozen, and reloaded from disk) and, with a small PyTorch interpreter of the ONNX
graph, the ONNX file against the eager PyTorch output, prints the max abs differences, fails if any exceeds
1e-4, then adds the key "exports" to model.json (every other key is kept as is). Idempotent; takes seconds.
"""
import argparse
import json
import os
import sys
import tempfile
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

OPSET = 13
TOLERANCE = 1e-4


class Block(nn.Module):
    """3×3 conv (padding 1, bias) + BatchNorm + ReLU: C_in×H×W -> C_out×H×W."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=True)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)))


class NucleusNet(nn.Module):
    """PyTorch twin of ck::NucleusNetImpl (src/model/network.cpp).

    Encoder: per level k two Blocks (max-pool 2×2 between levels). Decoder, coarse to fine: 1×1 lateral
    projection of the coarser level, bilinear ×2 upsampling (align_corners=False) to the skip's size, added to
    the encoder feature of the same level, one Block. Head: 1×1 conv to 3 maps.
    forward: N×C×H×W float32 (H, W multiples of 2^(levels-1)) -> N×3×H×W (sigmoid(inner), sigmoid(outer),
    foreground logit). Raises RuntimeError on a bad input shape (not in ONNX export).
    """

    def __init__(self, widths, in_channels: int = 1):
        super().__init__()
        L = len(widths)
        self.in_channels = in_channels
        self.multiple = 1 << (L - 1)
        self.enc_a = nn.ModuleList([Block(in_channels if k == 0 else widths[k - 1], widths[k]) for k in range(L)])
        self.enc_b = nn.ModuleList([Block(widths[k], widths[k]) for k in range(L)])
        # Decoder modules stored coarse-to-fine (index j is level L-2-j) so TorchScript can zip over them.
        self.lat_rev = nn.ModuleList([nn.Conv2d(widths[k + 1], widths[k], 1) for k in reversed(range(L - 1))])
        self.dec_rev = nn.ModuleList([Block(widths[k], widths[k]) for k in reversed(range(L - 1))])
        self.head = nn.Conv2d(widths[0], 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not torch.jit.is_tracing():  # shape checks as in C++; dropped from the traced ONNX graph
            if x.dim() != 4 or x.size(1) != self.in_channels:
                raise RuntimeError("NucleusNet: expected N×" + str(self.in_channels) + "×H×W input")
            if x.size(2) % self.multiple != 0 or x.size(3) % self.multiple != 0:
                raise RuntimeError("NucleusNet: H and W must be multiples of " + str(self.multiple))
        skips = []
        k = 0
        for a, b in zip(self.enc_a, self.enc_b):
            if k > 0:
                x = F.max_pool2d(x, 2)
            x = b(a(x))
            skips.append(x)
            k += 1
        j = len(skips) - 2
        for lat, dec in zip(self.lat_rev, self.dec_rev):
            skip = skips[j]
            up = F.interpolate(lat(x), size=[skip.size(2), skip.size(3)], mode="bilinear", align_corners=False)
            x = dec(up + skip)
            j -= 1
        out = self.head(x)
        return torch.cat([torch.sigmoid(out[:, 0:2]), out[:, 2:3]], 1)


def cpp_state_dict(widths, weights_path: str):
    """Reads the C++ weights archive and renames its entries (enc0a_conv.weight ...) to this module's keys."""
    archive = torch.jit.load(weights_path, map_location="cpu")
    flat = {name: t.detach().clone() for name, t in archive.named_parameters()}
    flat.update({name: t.detach().clone() for name, t in archive.named_buffers()})
    L = len(widths)
    rename = {}
    for k in range(L):
        for part in ("a", "b"):
            rename[f"enc{k}{part}_conv"] = f"enc_{part}.{k}.conv"
            rename[f"enc{k}{part}_bn"] = f"enc_{part}.{k}.bn"
    for k in range(L - 1):
        j = L - 2 - k
        rename[f"lat{k}"] = f"lat_rev.{j}"
        rename[f"dec{k}_conv"] = f"dec_rev.{j}.conv"
        rename[f"dec{k}_bn"] = f"dec_rev.{j}.bn"
    rename["head"] = "head"
    state = {}
    for name, t in flat.items():
        module, _, leaf = name.rpartition(".")
        if module not in rename:
            raise KeyError(f"{weights_path}: unexpected entry {name!r}")
        state[rename[module] + "." + leaf] = t
    return state


def load_model(model_dir: str):
    """Returns (manifest dict, eager NucleusNet in eval mode with the shipped weights)."""
    with open(os.path.join(model_dir, "model.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("architecture", "NucleusNet") != "NucleusNet":
        raise ValueError(f"{model_dir}/model.json: unsupported architecture {manifest['architecture']!r}")
    widths = [int(w) for w in manifest["widths"]]
    net = NucleusNet(widths, int(manifest.get("in_channels", 1)))
    state = cpp_state_dict(widths, os.path.join(model_dir, manifest.get("weights", "weights.pt")))
    net.load_state_dict(state, strict=True)  # raises naming missing/unexpected keys
    return manifest, net.eval()


def onnx_run(model, x: torch.Tensor) -> torch.Tensor:
    """Minimal PyTorch interpreter for the ONNX op types NucleusNet exports to (no onnxruntime on Debian 12).

    Raises NotImplementedError naming any other op type, so an unexpected graph change is noticed."""
    from onnx import numpy_helper

    env = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        a = {at.name: at for at in node.attribute}
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Conv":
            pads = list(a["pads"].ints) if "pads" in a else [0, 0, 0, 0]
            assert pads[0] == pads[2] and pads[1] == pads[3], "asymmetric Conv pads"
            y = F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None,
                         stride=list(a["strides"].ints) if "strides" in a else 1, padding=pads[:2])
        elif op == "Relu":
            y = F.relu(ins[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(ins[0])
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "MaxPool":
            y = F.max_pool2d(ins[0], list(a["kernel_shape"].ints), list(a["strides"].ints))
        elif op == "Shape":
            y = torch.tensor(list(ins[0].shape), dtype=torch.int64)
        elif op == "Constant":
            y = torch.from_numpy(numpy_helper.to_array(a["value"].t).copy())
        elif op == "Gather":
            axis = int(a["axis"].i) if "axis" in a else 0
            y = torch.index_select(ins[0], axis, ins[1].reshape(-1).long())
            y = y.squeeze(axis) if ins[1].dim() == 0 else y
        elif op == "Unsqueeze":
            y = ins[0]
            for ax in sorted(int(v) for v in ins[1].reshape(-1)):
                y = y.unsqueeze(ax)
        elif op == "Cast":
            y = ins[0].to({1: torch.float32, 7: torch.int64}[int(a["to"].i)])
        elif op == "Concat":
            y = torch.cat([t.reshape(1) if t.dim() == 0 else t for t in ins], int(a["axis"].i))
        elif op == "Slice":
            y = ins[0]
            axes = ins[3].tolist() if len(ins) > 3 and ins[3] is not None else list(range(len(ins[1])))
            steps = ins[4].tolist() if len(ins) > 4 and ins[4] is not None else [1] * len(axes)
            for s, e, ax, st in zip(ins[1].tolist(), ins[2].tolist(), axes, steps):
                n = y.shape[ax]
                idx = torch.arange(n)[slice(max(min(s, n), -n), max(min(e, n), -n - 1), st)]
                y = y.index_select(ax, idx)
        elif op == "Resize":
            mode = a["mode"].s.decode()
            ctm = a["coordinate_transformation_mode"].s.decode()
            assert mode == "linear" and ctm in ("half_pixel", "pytorch_half_pixel"), (mode, ctm)
            sizes = [int(v) for v in ins[3].tolist()]
            y = F.interpolate(ins[0], size=sizes[2:], mode="bilinear", align_corners=False)
        else:
            raise NotImplementedError(f"onnx_run: op type {op}")
        env[node.output[0]] = y
    return env[model.graph.output[0].name]


def atomic_write_bytes(path: str, write) -> None:
    """Calls write(tmp_path) and renames the result over `path` (readers never see a partial file).

    tmp_path has the same base name as `path` (in a temporary sibling folder): torch.jit.save names the archive's
    inner folder after it."""
    tmp_dir = tempfile.mkdtemp(dir=os.path.dirname(path) or ".", prefix="export-tmp-")
    tmp = os.path.join(tmp_dir, os.path.basename(path))
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
        os.rmdir(tmp_dir)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_dir", nargs="?", default="models/nuclear")
    args = ap.parse_args()
    torch.manual_seed(0)
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")  # harmless exporter noise
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    manifest, net = load_model(args.model_dir)
    name = manifest.get("name", "nuclear")
    ts_file, onnx_file = f"{name}.torchscript.pt", f"{name}.onnx"
    ts_path, onnx_path = os.path.join(args.model_dir, ts_file), os.path.join(args.model_dir, onnx_file)
    m = net.multiple
    manifest["exports"] = {
        "torchscript": ts_file,
        "onnx": onnx_file,
        "opset": OPSET,
        "input": f"N×{net.in_channels}×H×W float32, H and W multiples of {m}, percentile-normalized",
        "output": "N×3×H×W: inner distance, outer distance (sigmoid), foreground logit",
    }
    # Two test inputs with different sizes (exercises dynamic N/H/W) in the normalized range ~[0, 1].
    inputs = [torch.rand(1, net.in_channels, 8 * m, 10 * m), torch.rand(2, net.in_channels, 4 * m, 6 * m) * 1.5]
    with torch.no_grad():
        eager = [net(x) for x in inputs]

        # (a) TorchScript: script, freeze (folds BatchNorm into the convolutions), save.
        frozen = torch.jit.freeze(torch.jit.script(net))
        meta = json.dumps(manifest, indent=2, ensure_ascii=False)
        atomic_write_bytes(ts_path, lambda p: torch.jit.save(frozen, p, _extra_files={"model.json": meta}))
        reloaded = torch.jit.load(ts_path, map_location="cpu")
        d_ts = max((reloaded(x) - e).abs().max().item() for x, e in zip(inputs, eager))
        print(f"torchscript  {ts_path}: {os.path.getsize(ts_path)} bytes, max |ts - eager| = {d_ts:.3g}")

        # (b) ONNX, opset 13, dynamic N/H/W (BatchNorm folded by the exporter in eval mode).
        def export(p):
            torch.onnx.export(net, inputs[0], p, opset_version=OPSET, input_names=["image"], output_names=["maps"],
                              dynamic_axes={"image": {0: "N", 2: "H", 3: "W"}, "maps": {0: "N", 2: "H", 3: "W"}},
                              do_constant_folding=True)
        atomic_write_bytes(onnx_path, export)
    import onnx

    model = onnx.load(onnx_path)
    onnx.checker.check_model(model)
    ops = sorted({n.op_type for n in model.graph.node})
    with torch.no_grad():
        d_onnx = max((onnx_run(model, x) - e).abs().max().item() for x, e in zip(inputs, eager))
    print(f"onnx         {onnx_path}: {os.path.getsize(onnx_path)} bytes, opset {OPSET}, ops {ops}, "
          f"max |onnx - eager| = {d_onnx:.3g}")
    if d_ts > TOLERANCE or d_onnx > TOLERANCE:
        print(f"export_model: exported outputs differ from the eager model by more than {TOLERANCE}", file=sys.stderr)
        return 1

    # Record the exports in model.json; all other keys are kept (same order, values and formatting).
    keys = [k for k in manifest if k != "exports"]
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=keys == sorted(keys)) + "\n"

    def write_text(p):
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    atomic_write_bytes(os.path.join(args.model_dir, "model.json"), write_text)
    print(f"model.json   exports -> {ts_file}, {onnx_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
