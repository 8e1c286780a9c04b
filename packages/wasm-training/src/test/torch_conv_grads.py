"""Reference gradients of NHWC convolutions computed by PyTorch autograd.

Reads a JSON list of cases from argv[1] and writes the gradients to argv[2]. Each case:
  kind: "conv" | "depthwise"; x, w, dy: flat float lists; xShape [N,H,W,C] (TF NHWC);
  wShape: TF layout [kh,kw,Cin,Cout] (conv) or [kh,kw,C,M] (depthwise); stride [sh,sw];
  dilation [dh,dw]; pads [top,bottom,left,right].
Writes a list of {dx, dw}: flat lists in TF layouts (NHWC, and the TF filter layout).
"""
import json
import sys

import torch
import torch.nn.functional as F


def run(case):
    n, h, w, c = case["xShape"]
    kh, kw, a, b = case["wShape"]
    x = torch.tensor(case["x"], dtype=torch.float64).reshape(n, h, w, c).permute(0, 3, 1, 2)
    x = x.contiguous().requires_grad_(True)
    wt = torch.tensor(case["w"], dtype=torch.float64).reshape(kh, kw, a, b)
    if case["kind"] == "conv":
        weight = wt.permute(3, 2, 0, 1).contiguous()  # [Cout, Cin, kh, kw]
        groups = 1
    else:
        weight = wt.permute(2, 3, 0, 1).reshape(a * b, 1, kh, kw).contiguous()  # [C*M, 1, kh, kw]
        groups = a
    weight.requires_grad_(True)
    top, bottom, left, right = case["pads"]
    y = F.conv2d(F.pad(x, (left, right, top, bottom)), weight, stride=tuple(case["stride"]),
                 dilation=tuple(case["dilation"]), groups=groups)
    dy_shape = [y.shape[0], y.shape[2], y.shape[3], y.shape[1]]
    if list(case["dyShape"]) != dy_shape:
        raise SystemExit(f"output shape {dy_shape} differs from the given dy shape {case['dyShape']}")
    dy = torch.tensor(case["dy"], dtype=torch.float64).reshape(*dy_shape).permute(0, 3, 1, 2)
    y.backward(dy)
    dx = x.grad.permute(0, 2, 3, 1).reshape(-1)
    if case["kind"] == "conv":
        dw = weight.grad.permute(2, 3, 1, 0).reshape(-1)
    else:
        dw = weight.grad.reshape(a, b, kh, kw).permute(2, 3, 0, 1).reshape(-1)
    return {"dx": dx.tolist(), "dw": dw.tolist()}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    with open(sys.argv[2], "w") as f:
        json.dump([run(case) for case in cases], f)


if __name__ == "__main__":
    main()
