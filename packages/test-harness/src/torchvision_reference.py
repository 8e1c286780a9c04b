"""PyTorch reference models for tfzoo family parity tests (torchvision 0.14, Debian's python3).

Two modes: `CASES.json OUT_DIR` (one model per case, each with its own seed: `runReference`) and
`serve SPEC.json OUT_DIR` (one session of models sharing an input, then requests: `ReferenceSession`,
described at `serve_session` below).

Usage: torchvision_reference.py CASES.json OUT_DIR

CASES.json is a list of {"id", "arch", "kwargs", "seed", "input": [N, H, W, C]}. For each case the
script builds `torchvision.models.<arch>(weights=None, **kwargs)` (or one of the CUSTOM reference
networks below) under `torch.manual_seed(seed)`,
randomizes every batch-norm's weight, bias, running_mean and running_var (so that a wrongly mapped
batch-norm cannot hide behind a near-identity), switches to eval mode, saves the state dict with
`torch.save` (the zip format) to OUT_DIR/<id>.pth, draws a standard-normal input (NCHW, same seed),
and writes OUT_DIR/<id>.input.bin (the input in NHWC, float32 little-endian), OUT_DIR/<id>.logits.bin
(float32) and OUT_DIR/<id>.json ({"params": trainable parameter count, "logitsShape": [...]}).
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision
from megvii_shufflenet import megvii_shufflenet_v1
from torch_common import randomize_batch_norm, read_safetensors, serve, weight_entries, write_f32, write_safetensors
from torchvision.models.feature_extraction import create_feature_extractor


def alexnet_paper(num_classes=1000, dropout=0.5):
    """The network of Krizhevsky et al. (2012) with the paper's LRN (alpha not divided by n, so
    PyTorch's alpha is 5 x 1e-4) and two-group convolutions; 112x112 inputs and up."""
    nn = torch.nn
    lrn = lambda: nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)
    model = nn.Module()
    model.features = nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4, padding=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2),
    )
    model.avgpool = nn.AdaptiveAvgPool2d(6)
    model.classifier = nn.Sequential(
        nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(4096, num_classes),
    )
    model.forward = lambda x: model.classifier(torch.flatten(model.avgpool(model.features(x)), 1))
    return model


CUSTOM = {"alexnet_paper": alexnet_paper, "megvii_shufflenet_v1": megvii_shufflenet_v1}


def build(arch, kwargs):
    """`torchvision.models.<arch>(weights=None, **kwargs)`, or one of the CUSTOM networks."""
    if arch in CUSTOM:
        return CUSTOM[arch](**kwargs)
    return getattr(torchvision.models, arch)(weights=None, **kwargs)


def he_normal(model):
    """Kaiming-normal (fan-in) convolution kernels from the global generator: keeps random activations
    O(1) through deep stacks that have no batch-norm-friendly init of their own."""
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            fan_in = module.weight[0].numel()
            torch.nn.init.normal_(module.weight, 0, (2 / fan_in) ** 0.5)


def trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def serve_session(spec_path, out):
    """The session mode. SPEC.json is {"seed", "input": {"shape": [N, H, W, C], "seed"}, "randomSeed",
    "models": [...], "counts": [...], "weights": [...]}:

    - `torch.manual_seed(seed)` once; the input is `randn(N, C, H, W)` from its own generator
      (`input.seed`), written as OUT_DIR/input.f32 (NHWC, float32 little-endian);
    - each of "models" ({"id", "arch", "kwargs", "init", "randomize", "formats", "features"}), in
      order: built from the global generator (`build`), "init": "heNormal" redraws its conv kernels,
      "randomize" ("batchNorm", default; "batchNormAndBiases"; "none") draws batch-norm parameters
      and statistics (and conv and linear biases) from one generator seeded `randomSeed` shared by the
      session (`torch_common.randomize_batch_norm`); eval mode; saved as OUT_DIR/<id>.pth
      (torch.save, zip) and/or OUT_DIR/<id>.safetensors ("formats", default ["pth"]); its logits on
      the input OUT_DIR/<id>.logits.f32; with "features" ({node: key}), the shapes (NCHW) of
      `create_feature_extractor(model, features)` on the input;
    - each of "counts" ({"id", "arch", "kwargs"}): the trainable parameter count as built, and the
      widths of a model that declares `stage_out_channels`;
    - each arch of "weights": torchvision's published weights (`torch_common.weight_entries`).

    OUT_DIR/reference.json holds {"models": {id: {"params", "logitsShape", "features"}}, "counts":
    {id: {"numParams", "channels"}}, "weights": {...}}. Then it prints "ready" and answers
    "roundtrip ARCH FILE.safetensors": loads FILE into torchvision's ARCH with strict=True, runs the
    input and writes OUT_DIR/roundtrip.logits.f32, then prints "done".
    """
    with open(spec_path) as f:
        spec = json.load(f)
    torch.manual_seed(spec.get("seed", 0))
    generator = torch.Generator().manual_seed(spec.get("randomSeed", 42))
    n, h, w, c = spec["input"]["shape"]
    x = torch.randn(n, c, h, w, generator=torch.Generator().manual_seed(spec["input"]["seed"]))
    write_f32(f"{out}/input.f32", x.permute(0, 2, 3, 1))
    reference = {"models": {}, "counts": {}, "weights": {}}
    for case in spec.get("models", []):
        model = build(case["arch"], case.get("kwargs", {}))
        if case.get("init") == "heNormal":
            he_normal(model)
        elif case.get("init") is not None:
            raise SystemExit(f"unknown init {case['init']!r}")
        randomize = case.get("randomize", "batchNorm")
        if randomize != "none":
            if randomize not in ("batchNorm", "batchNormAndBiases"):
                raise SystemExit(f"unknown randomize {randomize!r}")
            randomize_batch_norm(model, generator, biases=randomize == "batchNormAndBiases")
        model.eval()
        state = model.state_dict()
        for fmt in case.get("formats", ["pth"]):
            if fmt == "pth":
                torch.save(state, f"{out}/{case['id']}.pth")
            elif fmt == "safetensors":
                write_safetensors(state, f"{out}/{case['id']}.safetensors")
            else:
                raise SystemExit(f"unknown format {fmt!r}")
        result = {"params": trainable(model)}
        with torch.no_grad():
            logits = model(x)
            write_f32(f"{out}/{case['id']}.logits.f32", logits)
            result["logitsShape"] = list(logits.shape)
            if case.get("features"):
                maps = create_feature_extractor(model, return_nodes=case["features"])(x)
                result["features"] = {key: list(value.shape) for key, value in maps.items()}
        reference["models"][case["id"]] = result
    for case in spec.get("counts", []):
        model = build(case["arch"], case.get("kwargs", {}))
        reference["counts"][case["id"]] = {
            "numParams": trainable(model), "channels": getattr(model, "stage_out_channels", None)}
    for arch in spec.get("weights", []):
        reference["weights"].update(weight_entries(arch))
    with open(f"{out}/reference.json", "w") as f:
        json.dump(reference, f)

    def roundtrip(arch, path):
        model = build(arch, {})
        model.load_state_dict(read_safetensors(path), strict=True)
        model.eval()
        with torch.no_grad():
            write_f32(f"{out}/roundtrip.logits.f32", model(x))

    serve({"roundtrip": roundtrip})


def main(cases_path, out_dir):
    with open(cases_path) as f:
        cases = json.load(f)
    torch.set_num_threads(1)
    for case in cases:
        torch.manual_seed(case["seed"])
        model = build(case["arch"], case.get("kwargs", {}))
        with torch.no_grad():
            for module in model.modules():
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.5, 0.5)
                    module.running_mean.uniform_(-0.5, 0.5)
                    module.running_var.uniform_(0.5, 1.5)
        model.eval()
        params = sum(p.numel() for p in model.parameters())
        state = model.state_dict()
        torch.save(state, os.path.join(out_dir, case["id"] + ".pth"))
        n, h, w, c = case["input"]
        x = torch.randn(n, c, h, w)
        # "heads": {"aux1": "inception4a"} also runs head module aux1 (in eval mode) on the output of
        # module inception4a and writes OUT_DIR/<id>.aux1.bin (for GoogLeNet's auxiliary classifiers,
        # which torchvision only runs in training mode).
        captured = {}
        heads = case.get("heads", {})
        for head, source in heads.items():
            getattr(model, source).register_forward_hook(
                lambda module, args, output, head=head: captured.__setitem__(head, output)
            )
        with torch.no_grad():
            logits = model(x)
            extra = {head: getattr(model, head)(captured[head]) for head in heads}
        base = os.path.join(out_dir, case["id"])
        for head, value in extra.items():
            value.numpy().astype("<f4").tofile(base + "." + head + ".bin")
        x.permute(0, 2, 3, 1).contiguous().numpy().astype("<f4").tofile(base + ".input.bin")
        logits.numpy().astype("<f4").tofile(base + ".logits.bin")
        with open(base + ".json", "w") as f:
            json.dump({"params": params, "logitsShape": list(logits.shape)}, f)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve_session(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2])
