"""PyTorch reference for @tfzoo/losses tests.

Reads a JSON list of cases from argv[1], evaluates each loss in float64 with torch.nn.functional
(or torchvision.ops), and writes the loss value and d(sum(loss))/d(yPred) to argv[2].
"""
import json
import sys

import torch
import torch.nn.functional as F
import torchvision.ops

torch.set_default_dtype(torch.float64)


def tensor(spec, dtype=torch.float64):
    return torch.tensor(spec["data"], dtype=dtype).reshape(spec["shape"])


def channels_first(x):
    return x if x.dim() <= 2 else x.movedim(-1, 1)


def loss_none(case, y, x, extra):
    """Element-wise (or per-sample) loss of the case, reduction 'none'."""
    kind, p = case["kind"], case["params"]
    if kind == "sparse_ce":
        labels = y.long()
        weight = torch.tensor(p["classWeights"]) if "classWeights" in p else None
        ignore = p.get("ignoreIndex", -100)
        if p.get("fromLogits", True):
            out = F.cross_entropy(channels_first(x), labels, weight=weight, ignore_index=ignore,
                                  label_smoothing=p.get("labelSmoothing", 0.0), reduction="none")
        else:
            logp = torch.log(torch.clamp(x, 1e-7, 1.0))
            out = F.nll_loss(channels_first(logp), labels, weight=weight, ignore_index=ignore,
                             reduction="none")
        return out
    if kind == "cat_ce":
        weight = torch.tensor(p["classWeights"]) if "classWeights" in p else None
        if p.get("fromLogits", True):
            return F.cross_entropy(channels_first(x), channels_first(y), weight=weight,
                                   label_smoothing=p.get("labelSmoothing", 0.0), reduction="none")
        logp = torch.log(torch.clamp(x, 1e-7, 1.0))
        w = weight if weight is not None else torch.ones(x.shape[-1])
        return -(y * w * logp).sum(-1)
    if kind == "bce":
        weight = torch.tensor(p["classWeights"]) if "classWeights" in p else None
        ls = p.get("labelSmoothing", 0.0)
        target = y * (1 - ls) + ls / 2
        if p.get("fromLogits", True):
            pw = p.get("posWeight")
            pos_weight = None if pw is None else torch.tensor(pw if isinstance(pw, list) else [pw])
            return F.binary_cross_entropy_with_logits(x, target, weight=weight, pos_weight=pos_weight,
                                                      reduction="none")
        return F.binary_cross_entropy(torch.clamp(x, 1e-7, 1 - 1e-7), target, weight=weight,
                                      reduction="none")
    if kind == "sigmoid_focal":
        return torchvision.ops.sigmoid_focal_loss(x, y, alpha=p.get("alpha", 0.25),
                                                  gamma=p.get("gamma", 2.0), reduction="none")
    if kind == "softmax_focal":
        logp = F.log_softmax(x, -1)
        logpt = logp.gather(-1, y.long().unsqueeze(-1)).squeeze(-1)
        pt = logpt.exp()
        alpha = p.get("alpha", 1.0)
        alpha_t = torch.tensor(alpha)[y.long()] if isinstance(alpha, list) else alpha
        return -alpha_t * (1 - pt) ** p.get("gamma", 2.0) * logpt
    if kind == "mse":
        return F.mse_loss(x, y, reduction="none")
    if kind == "l1":
        return F.l1_loss(x, y, reduction="none")
    if kind == "huber":
        return F.huber_loss(x, y, delta=p.get("delta", 1.0), reduction="none")
    if kind == "smooth_l1":
        return F.smooth_l1_loss(x, y, beta=p.get("beta", 1.0), reduction="none")
    if kind in ("hinge", "squared_hinge"):
        labels = y
        mode = p.get("labels", "auto")
        if mode == "binary" or (mode == "auto" and bool(((y == 0) | (y == 1)).all())):
            labels = 2 * y - 1
        out = torch.clamp(p.get("margin", 1.0) - labels * x, min=0)
        return out ** 2 if kind == "squared_hinge" else out
    if kind == "multi_margin":
        weight = torch.tensor(p["classWeights"]) if "classWeights" in p else None
        return F.multi_margin_loss(x, y.long(), p=p.get("p", 1), margin=p.get("margin", 1.0),
                                   weight=weight, reduction="none")
    if kind == "kl":
        inp = F.log_softmax(x, -1) if p.get("fromLogits", False) else x
        return F.kl_div(inp, y, reduction="none", log_target=p.get("logTarget", False))
    if kind == "distill":
        t, a = p.get("temperature", 4.0), p.get("alpha", 0.5)
        hard = F.cross_entropy(x, y.long(), label_smoothing=p.get("labelSmoothing", 0.0), reduction="none")
        soft = F.kl_div(F.log_softmax(x / t, -1), F.softmax(extra / t, -1), reduction="none").sum(-1)
        return a * hard + (1 - a) * t * t * soft
    raise ValueError(f"unknown kind {kind}")


def denominator(case, y, out):
    p = case["params"]
    if case["kind"] == "sparse_ce":
        labels = y.long()
        valid = labels != p.get("ignoreIndex", -100)
        if "classWeights" in p:
            w = torch.tensor(p["classWeights"])
            return (w[labels.clamp(min=0)] * valid).sum()
        return valid.sum()
    return out.numel()


def evaluate(case):
    y = tensor(case["yTrue"])
    x = tensor(case["yPred"]).requires_grad_(True)
    extra = tensor(case["extra"]) if "extra" in case else None
    p = case["params"]
    kind = case["kind"]
    reduction = p.get("reduction", "batchmean" if kind == "kl" else "mean")
    if kind in ("l1_penalty", "l2_penalty"):
        s = p["strength"]
        out = s * (x.abs().sum() if kind == "l1_penalty" else (x * x).sum())
    elif kind == "kl" and "sampleWeight" not in case:
        inp = F.log_softmax(x, -1) if p.get("fromLogits", False) else x
        out = F.kl_div(inp, y, reduction=reduction, log_target=p.get("logTarget", False))
    else:
        out = loss_none(case, y, x, extra)
        if "sampleWeight" in case:
            sw = torch.tensor(case["sampleWeight"])
            out = out * sw.reshape([-1] + [1] * (out.dim() - 1))
        if reduction == "sum":
            out = out.sum()
        elif reduction == "mean":
            out = out.sum() / denominator(case, y, out)
        elif reduction == "batchmean":
            out = out.sum() / x.shape[0]
    out.sum().backward()
    return {"value": out.detach().reshape(-1).tolist(), "grad": x.grad.reshape(-1).tolist()}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    results = [evaluate(case) for case in cases]
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
