"""Applies torchvision 0.14 tensor transforms to the cases in a JSON file; writes the results as JSON.

Usage: /usr/bin/python3 torchvision_ops.py cases.json results.json
Each case: {"op": ..., "image": {"shape": [H, W, C], "dtype": "uint8"|"float32", "data": [...]}, ...}.
Images travel HWC (like @tfzoo/datasets) and are converted to CHW tensors here.
"""
import json
import sys

import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

assert torchvision.__version__.startswith("0.14"), torchvision.__version__

MODES = {
    "nearest": InterpolationMode.NEAREST,
    "bilinear": InterpolationMode.BILINEAR,
    "bicubic": InterpolationMode.BICUBIC,
}


def to_tensor(image):
    h, w, c = image["shape"]
    dtype = torch.uint8 if image["dtype"] == "uint8" else torch.float32
    return torch.tensor(image["data"], dtype=dtype).reshape(h, w, c).permute(2, 0, 1).contiguous()


def from_tensor(t):
    c, h, w = t.shape
    out = t.permute(1, 2, 0).contiguous()
    return {"shape": [h, w, c], "dtype": "uint8" if t.dtype == torch.uint8 else "float32",
            "data": out.reshape(-1).double().tolist()}


def run(case):
    img = to_tensor(case["image"])
    op = case["op"]
    if op == "resize":
        size = case["size"]
        return F.resize(img, size if isinstance(size, list) else [size],
                        interpolation=MODES[case["interpolation"]], antialias=False)
    if op == "center_crop":
        return F.center_crop(img, case["size"])
    if op == "crop":
        return F.crop(img, case["top"], case["left"], case["height"], case["width"])
    if op == "pad":
        return F.pad(img, case["padding"], fill=case.get("fill", 0), padding_mode=case["mode"])
    if op == "hflip":
        return F.hflip(img)
    if op == "brightness":
        return F.adjust_brightness(img, case["factor"])
    if op == "contrast":
        return F.adjust_contrast(img, case["factor"])
    if op == "saturation":
        return F.adjust_saturation(img, case["factor"])
    if op == "hue":
        return F.adjust_hue(img, case["factor"])
    if op == "grayscale":
        return F.rgb_to_grayscale(img)
    if op == "normalize":
        return F.normalize(img, case["mean"], case["std"])
    if op == "eval_pipeline":
        # torchvision's ImageClassification preset, spelled out.
        out = F.resize(img, [case["resize"]], interpolation=MODES[case["interpolation"]], antialias=False)
        out = F.center_crop(out, case["crop"])
        out = F.convert_image_dtype(out, torch.float32)
        return F.normalize(out, case["mean"], case["std"])
    raise ValueError(op)


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    results = [from_tensor(run(case)) for case in cases]
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
