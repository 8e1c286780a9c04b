"""PyTorch reference for @tfzoo/layers parity tests.

Reads a JSON list of cases (NHWC inputs, weights in the TF.js layout, an upstream gradient), runs
the PyTorch module or functional op in float64, and writes the output, the input gradient and the
weight gradients back in the TF.js layouts. Usage: torch_parity.py CASES.json RESULTS.json
"""
import json
import math
import sys
import types

import torch
import torch.nn.functional as F
import torchvision

torch.set_default_dtype(torch.float64)


def tensor(spec):
    return torch.tensor(spec["data"], dtype=torch.float64).reshape(spec["shape"])


def nchw(t):
    return t.permute(0, 3, 1, 2)


def nhwc(t):
    return t.permute(0, 2, 3, 1)


def tf_same(size, kernel, stride, dilation):
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def group_conv(x, w, c):
    weight = w["kernel"].permute(3, 2, 0, 1)  # [kh, kw, in/g, out] -> [out, in/g, kh, kw]
    bias = w.get("bias")
    (kh, kw), (sh, sw), (dh, dw) = c["kernelSize"], c["strides"], c["dilation"]
    xin = nchw(x)
    if c["padding"] == "same":
        top, bottom = tf_same(x.shape[1], kh, sh, dh)
        left, right = tf_same(x.shape[2], kw, sw, dw)
    else:
        top, bottom, left, right = c["padding"]
    if top == bottom and left == right:
        y = F.conv2d(xin, weight, bias, (sh, sw), (top, left), (dh, dw), c["groups"])
    else:
        y = F.conv2d(F.pad(xin, (left, right, top, bottom)), weight, bias, (sh, sw), 0, (dh, dw), c["groups"])
    return nhwc(y)


def squeeze_excite(x, w, c):
    channels = x.shape[3]
    reduced = w["fc1_kernel"].shape[1]
    acts = {"relu": torch.nn.ReLU, "silu": torch.nn.SiLU}
    gates = {"sigmoid": torch.nn.Sigmoid, "hardSigmoid": torch.nn.Hardsigmoid}
    module = torchvision.ops.SqueezeExcitation(channels, reduced, acts[c["activation"]], gates[c["gate"]])
    # The documented mapping: fc1.weight [R, C, 1, 1] = fc1_kernel [C, R] transposed.
    with torch.no_grad():
        module.fc1.weight.copy_(w["fc1_kernel"].t().reshape(reduced, channels, 1, 1))
        module.fc1.bias.copy_(w["fc1_bias"])
        module.fc2.weight.copy_(w["fc2_kernel"].t().reshape(channels, reduced, 1, 1))
        module.fc2.bias.copy_(w["fc2_bias"])
    params = {
        "fc1_kernel": module.fc1.weight,
        "fc1_bias": module.fc1.bias,
        "fc2_kernel": module.fc2.weight,
        "fc2_bias": module.fc2.bias,
    }
    y = nhwc(module(nchw(x)))

    def grads():
        return {
            "fc1_kernel": params["fc1_kernel"].grad.reshape(reduced, channels).t(),
            "fc1_bias": params["fc1_bias"].grad,
            "fc2_kernel": params["fc2_kernel"].grad.reshape(channels, reduced).t(),
            "fc2_bias": params["fc2_bias"].grad,
        }

    return y, grads


ACTIVATIONS = {
    "relu6": F.relu6,
    "hardSigmoid": F.hardsigmoid,
    "hardSwish": F.hardswish,
    "silu": F.silu,
    "mish": F.mish,
    "gelu": lambda t: F.gelu(t, approximate="none"),
    "geluTanh": lambda t: F.gelu(t, approximate="tanh"),
}


def run(case):
    kind, c = case["kind"], case.get("config", {})
    x = tensor(case["x"]).requires_grad_(True)
    w = {name: tensor(spec).requires_grad_(True) for name, spec in case.get("weights", {}).items()}
    weight_grads = None
    if kind == "groupConv2d":
        y = group_conv(x, w, c)
    elif kind == "channelShuffle":
        b, h, wd, ch = x.shape
        t = nchw(x).reshape(b, c["groups"], ch // c["groups"], h, wd).transpose(1, 2).reshape(b, ch, h, wd)
        y = nhwc(t)
    elif kind == "channelSlice":
        y = nhwc(nchw(x).chunk(c["chunks"], dim=1)[c["chunk"]])
    elif kind == "channelAffine":
        transform = torchvision.models.GoogLeNet._transform_input
        y = nhwc(transform(types.SimpleNamespace(transform_input=True), nchw(x)))
    elif kind == "lrn":
        lrn = torch.nn.LocalResponseNorm(c["size"], c["alpha"], c["beta"], c["k"])
        y = nhwc(lrn(nchw(x)))
    elif kind == "squeezeExcite":
        y, weight_grads = squeeze_excite(x, w, c)
    elif kind == "maxout":
        k = c["numPieces"]
        y = x.reshape(*x.shape[:-1], x.shape[-1] // k, k).max(dim=-1).values
    elif kind == "activation":
        y = ACTIVATIONS[c["name"]](x)
    elif kind == "maxPool":
        y = nhwc(F.max_pool2d(nchw(x), c["poolSize"], c["strides"], c["padding"], ceil_mode=c["ceilMode"]))
    elif kind == "avgPool":
        y = nhwc(
            F.avg_pool2d(
                nchw(x), c["poolSize"], c["strides"], c["padding"], c["ceilMode"], c["countIncludePad"]
            )
        )
    elif kind == "adaptiveAvgPool":
        y = nhwc(F.adaptive_avg_pool2d(nchw(x), c["outputSize"]))
    elif kind == "adaptiveMaxPool":
        y = nhwc(F.adaptive_max_pool2d(nchw(x), c["outputSize"]))
    else:
        raise ValueError(f"unknown kind {kind}")
    dy = tensor(case["dy"])
    (y * dy).sum().backward()
    grads = weight_grads() if weight_grads else {name: t.grad for name, t in w.items()}
    flat = lambda t: t.detach().contiguous().reshape(-1).tolist()
    return {
        "id": case["id"],
        "y": {"shape": list(y.shape), "data": flat(y)},
        "dx": flat(x.grad),
        "grads": {name: flat(g) for name, g in grads.items()},
    }


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    results = [run(case) for case in cases]
    with open(sys.argv[2], "w") as f:
        json.dump({"torch": torch.__version__, "results": results}, f)


if __name__ == "__main__":
    main()
