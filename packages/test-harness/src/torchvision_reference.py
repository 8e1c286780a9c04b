"""PyTorch reference models for tfzoo family parity tests (torchvision 0.14, Debian's python3).

Usage: torch_reference.py CASES.json OUT_DIR

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


CUSTOM = {"alexnet_paper": alexnet_paper}


def main(cases_path, out_dir):
    with open(cases_path) as f:
        cases = json.load(f)
    torch.set_num_threads(1)
    for case in cases:
        torch.manual_seed(case["seed"])
        kwargs = case.get("kwargs", {})
        if case["arch"] in CUSTOM:
            model = CUSTOM[case["arch"]](**kwargs)
        else:
            model = getattr(torchvision.models, case["arch"])(weights=None, **kwargs)
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
    main(sys.argv[1], sys.argv[2])
