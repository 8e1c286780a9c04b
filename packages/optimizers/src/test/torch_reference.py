"""PyTorch side of the @tfzoo/optimizers parity tests.

Usage: /usr/bin/python3 torch_reference.py <dir>
Reads <dir>/input.json (written by the vitest suite), writes <dir>/traj_<id>.f32 (parameters after
every step, flattened in the order the input lists them, little-endian float32) and
<dir>/results.json (schedules, clipping, EMA and extra state).

torch.optim provides every optimizer except three, implemented here from their references:
  * Lion   - lucidrains/lion-pytorch `update_fn` (the paper's Program 1),
  * Lamb   - timm `timm/optim/lamb.py` `_single_tensor_lamb` (FusedLAMB behaviour),
  * NAdam  - torch >= 2.0 `_single_tensor_nadam` (mu_product_next = mu_product * mu_next);
             torch 1.13's own NAdam is used for `legacyMuProduct`.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)

out_dir = sys.argv[1]
with open(os.path.join(out_dir, "input.json")) as fh:
    spec = json.load(fh)


def tensor(entry):
    return torch.tensor(entry["data"], dtype=torch.float32).reshape(entry["shape"])


def make_params(model):
    m = spec["models"][model]
    return {name: torch.nn.Parameter(tensor(m["init"][name])) for name in m["order"]}


def forward(model, p, x):
    if model == "linear":
        return x @ p["w"] + p["b"]
    if model == "conv":
        xc = x.permute(0, 3, 1, 2)
        h = torch.tanh(F.conv2d(xc, p["k"].permute(3, 2, 0, 1), p["cb"]))
        h = h.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        return h @ p["w"] + p["b"]
    h = torch.tanh(x @ p["w1"] + p["b1"])
    return h @ p["w2"] + p["b2"]


def loss_of(model, p, x, y):
    loss = F.cross_entropy(forward(model, p, x), y)
    if model == "linear":
        loss = loss + spec["linearL2"] * (p["w"] ** 2).sum()
    return loss


def batch(model, i):
    b = spec["models"][model]["batches"][i]
    return tensor(b["x"]), torch.tensor(b["y"], dtype=torch.long)


def flat(params, order):
    return torch.cat([params[n].detach().reshape(-1) for n in order]).numpy().astype("<f4")


# ---------------------------------------------------------------- reference optimizers
class Lion(torch.optim.Optimizer):
    """lucidrains/lion-pytorch: decoupled decay, sign of the interpolation, then the momentum."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad, lr, wd = p.grad, group["lr"], group["weight_decay"]
                beta1, beta2 = group["betas"]
                state = self.state[p]
                if len(state) == 0:
                    state["exp_avg"] = torch.zeros_like(p)
                exp_avg = state["exp_avg"]
                p.data.mul_(1 - lr * wd)
                update = exp_avg.clone().mul_(beta1).add(grad, alpha=1 - beta1).sign_()
                p.add_(update, alpha=-lr)
                exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)


class Lamb(torch.optim.Optimizer):
    """timm Lamb (single-tensor path), without the `caution` / corrected-decay extras."""

    def __init__(self, params, lr=1e-3, bias_correction=True, betas=(0.9, 0.999), eps=1e-6,
                 weight_decay=0.01, grad_averaging=True, max_grad_norm=1.0, trust_clip=False,
                 always_adapt=False, decoupled_decay=False):
        super().__init__(params, dict(lr=lr, bias_correction=bias_correction, betas=betas, eps=eps,
                                      weight_decay=weight_decay, grad_averaging=grad_averaging,
                                      max_grad_norm=max_grad_norm, trust_clip=trust_clip,
                                      always_adapt=always_adapt, decoupled_decay=decoupled_decay))

    @torch.no_grad()
    def step(self):
        max_grad_norm = self.defaults["max_grad_norm"]
        clip = None
        if max_grad_norm is not None:
            grads = [p.grad for g in self.param_groups for p in g["params"] if p.grad is not None]
            norms = [torch.linalg.vector_norm(g) for g in grads]
            global_norm = torch.linalg.vector_norm(torch.stack(norms))
            clip = (global_norm / max_grad_norm).clamp_(min=1.0)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            beta3 = 1 - beta1 if group["grad_averaging"] else 1.0
            group["step"] = group.get("step", 0) + 1
            step = group["step"]
            bc1 = 1 - beta1 ** step if group["bias_correction"] else 1.0
            bc2 = 1 - beta2 ** step if group["bias_correction"] else 1.0
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad if clip is None else p.grad / clip
                state = self.state[p]
                if len(state) == 0:
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                if beta3 == 1 - beta1:
                    exp_avg.lerp_(grad, beta3)
                else:
                    exp_avg.mul_(beta1).add_(grad, alpha=beta3)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = (exp_avg_sq.sqrt() / (bc2 ** 0.5)).add_(group["eps"])
                update = (exp_avg / bc1).div_(denom)
                wd = group["weight_decay"]
                if wd != 0:
                    if group["decoupled_decay"]:
                        p.add_(p, alpha=-group["lr"] * wd)
                    else:
                        update.add_(p, alpha=wd)
                if wd != 0 or group["always_adapt"]:
                    w_norm, g_norm = p.norm(2.0), update.norm(2.0)
                    trust = torch.where(w_norm > 0, torch.where(g_norm > 0, w_norm / g_norm, 1.0), 1.0)
                    if group["trust_clip"]:
                        trust = torch.clamp(trust, max=1.0)
                    update.mul_(trust)
                p.add_(update, alpha=-group["lr"])


class NAdamFixed(torch.optim.Optimizer):
    """torch >= 2.0 NAdam (single tensor, no decoupled decay): mu_product_next = mu_product * mu_next."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, wd, md = group["lr"], group["eps"], group["weight_decay"], group["momentum_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0)
                    state["mu_product"] = torch.tensor(1.0)
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                grad = p.grad
                state["step"] += 1
                step = state["step"].item()
                bias_correction2 = 1 - beta2 ** step
                if wd != 0:
                    grad = grad.add(p, alpha=wd)
                mu = beta1 * (1. - 0.5 * (0.96 ** (step * md)))
                mu_next = beta1 * (1. - 0.5 * (0.96 ** ((step + 1) * md)))
                state["mu_product"] *= mu
                mu_product = state["mu_product"].item()
                state["exp_avg"].mul_(beta1).add_(grad, alpha=1 - beta1)
                state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = state["exp_avg_sq"].div(bias_correction2).sqrt().add_(eps)
                mu_product_next = mu_product * mu_next
                p.addcdiv_(grad, denom, value=(-lr * (1. - mu) / (1. - mu_product)))
                p.addcdiv_(state["exp_avg"], denom, value=(-lr * mu_next) / (1. - mu_product_next))


def build_optimizer(name, groups, kwargs):
    kwargs = dict(kwargs)
    for key in ("betas", "etas", "step_sizes"):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key])
    table = {
        "SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW,
        "NAdamLegacy": torch.optim.NAdam, "NAdam": NAdamFixed, "RAdam": torch.optim.RAdam,
        "Adamax": torch.optim.Adamax, "Adagrad": torch.optim.Adagrad, "Adadelta": torch.optim.Adadelta,
        "RMSprop": torch.optim.RMSprop, "Rprop": torch.optim.Rprop, "ASGD": torch.optim.ASGD,
        "Lion": Lion, "Lamb": Lamb, "LBFGS": torch.optim.LBFGS,
    }
    return table[name](groups, **kwargs)


def param_groups(cfg, params):
    if not cfg.get("torchGroups"):
        return [params[n] for n in spec["models"][cfg["model"]]["order"]]
    groups = []
    for g in cfg["torchGroups"]:
        entry = {"params": [params[n] for n in g["names"] if n in params]}
        for key in ("lr", "weight_decay"):
            if key in g:
                entry[key] = g[key]
        groups.append(entry)
    return groups


def clip(cfg, params):
    c = cfg.get("clip")
    plist = list(params.values())
    if c is None:
        return
    if c["kind"] == "global":
        torch.nn.utils.clip_grad_norm_(plist, c["value"])
    elif c["kind"] == "value":
        torch.nn.utils.clip_grad_value_(plist, c["value"])
    elif c["kind"] == "norm":  # tf.clip_by_norm per tensor: g * c / max(||g||, c)
        for p in plist:
            p.grad.mul_(c["value"] / max(p.grad.norm().item(), c["value"]))


results = {"state": {}}

for cfg in spec["configs"]:
    model = cfg["model"]
    order = spec["models"][model]["order"]
    params = make_params(model)
    opt = build_optimizer(cfg["optimizer"], param_groups(cfg, params), cfg["torch"])
    rows = []
    if cfg["optimizer"] == "LBFGS":
        x, y = tensor(spec["models"][model]["full"]["x"]), torch.tensor(spec["models"][model]["full"]["y"], dtype=torch.long)

        def closure():
            opt.zero_grad()
            loss = loss_of(model, params, x, y)
            loss.backward()
            return loss

        for _ in range(cfg["steps"]):
            opt.step(closure)
            rows.append(flat(params, order))
    else:
        for i in range(cfg["steps"]):
            x, y = batch(model, i)
            opt.zero_grad()
            loss_of(model, params, x, y).backward()
            clip(cfg, params)
            opt.step()
            rows.append(flat(params, order))
    np.stack(rows).tofile(os.path.join(out_dir, "traj_%s.f32" % cfg["id"]))
    if cfg["optimizer"] == "ASGD":
        results["state"][cfg["id"]] = {
            "ax": np.concatenate([opt.state[params[n]]["ax"].reshape(-1).numpy() for n in order]).tolist()}

# ---------------------------------------------------------------- EMA (tf.train.ExponentialMovingAverage)
ema_spec = spec["ema"]
traj = np.fromfile(os.path.join(out_dir, "traj_%s.f32" % ema_spec["config"]), dtype="<f4")
init = np.concatenate([np.asarray(spec["models"]["mlp"]["init"][n]["data"], dtype=np.float64)
                       for n in spec["models"]["mlp"]["order"]])
traj = traj.reshape(-1, init.size).astype(np.float64)
shadow = init.copy()
for n, value in enumerate(traj):
    d = min(ema_spec["decay"], (1 + n) / (10 + n))
    shadow = shadow - (1 - d) * (shadow - value)
results["ema"] = shadow.tolist()

# ---------------------------------------------------------------- clipping functions
grads = [tensor(g) for g in spec["clipping"]["grads"]]
clip_out = {}
for norm_type in (2.0, float("inf"), 1.0, 3.0):
    gs = [g.clone().requires_grad_(False) for g in grads]
    holders = [torch.nn.Parameter(torch.zeros_like(g)) for g in gs]
    for h, g in zip(holders, gs):
        h.grad = g
    total = torch.nn.utils.clip_grad_norm_(holders, spec["clipping"]["maxNorm"], norm_type=norm_type)
    key = "inf" if math.isinf(norm_type) else str(int(norm_type))
    clip_out[key] = {"total": float(total), "grads": [h.grad.reshape(-1).tolist() for h in holders]}
holders = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
for h, g in zip(holders, grads):
    h.grad = g.clone()
torch.nn.utils.clip_grad_value_(holders, spec["clipping"]["clipValue"])
clip_out["value"] = [h.grad.reshape(-1).tolist() for h in holders]
results["clipping"] = clip_out

# ---------------------------------------------------------------- schedules (torch.optim.lr_scheduler)
S = torch.optim.lr_scheduler


def scheduler(opt, kind, kw):
    kw = dict(kw)
    if kind == "Warmup":
        inner = scheduler(opt, kw.pop("inner"), kw.pop("innerKw"))
        warm = S.LinearLR(opt, start_factor=kw["start_factor"], end_factor=kw.get("end_factor", 1.0),
                          total_iters=kw["warmup"])
        return S.SequentialLR(opt, [warm, inner], milestones=[kw["warmup"]])
    if kind == "MultiStepLR":
        kw["milestones"] = list(kw["milestones"])
    return getattr(S, kind)(opt, **kw)


sched_out = {}
for sc in spec["schedules"]:
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=sc["lr"], momentum=0.9)
    s = scheduler(opt, sc["kind"], sc["kw"])
    lrs, moms = [], []
    for i in range(sc["steps"]):
        if sc["kind"] == "ReduceLROnPlateau":
            opt.step()
            s.step(sc["metrics"][i])
            lrs.append(opt.param_groups[0]["lr"])
        else:
            lrs.append(opt.param_groups[0]["lr"])
            moms.append(opt.param_groups[0]["momentum"])
            opt.step()
            s.step()
    sched_out[sc["id"]] = {"lr": lrs, "momentum": moms}
results["schedules"] = sched_out

# ---------------------------------------------------------------- model.fit integration
fit = spec["fit"]
params = {n: torch.nn.Parameter(tensor(fit["init"][n])) for n in ("w1", "b1", "w2", "b2")}
opt = torch.optim.AdamW([
    {"params": [params["w1"], params["w2"]], "weight_decay": fit["weightDecay"]},
    {"params": [params["b1"], params["b2"]], "weight_decay": 0.0},
], lr=fit["lr"])
warm = S.LinearLR(opt, start_factor=fit["startFactor"], total_iters=fit["warmup"])
cos = S.CosineAnnealingLR(opt, T_max=fit["tMax"])
sched = S.SequentialLR(opt, [warm, cos], milestones=[fit["warmup"]])
x_all, y_all = tensor(fit["x"]), tensor(fit["y"])
init = torch.cat([params[n].detach().reshape(-1) for n in ("w1", "b1", "w2", "b2")]).double().numpy()
shadow = init.copy()
n_updates = 0
for epoch in range(fit["epochs"]):
    for start in range(0, x_all.shape[0], fit["batchSize"]):
        x, y = x_all[start:start + fit["batchSize"]], y_all[start:start + fit["batchSize"]]
        opt.zero_grad()
        F.mse_loss(torch.tanh(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"], y).backward()
        torch.nn.utils.clip_grad_norm_(list(params.values()), fit["clip"])
        opt.step()
        sched.step()
        now = torch.cat([params[n].detach().reshape(-1) for n in ("w1", "b1", "w2", "b2")]).double().numpy()
        d = min(fit["emaDecay"], (1 + n_updates) / (10 + n_updates))
        shadow = shadow - (1 - d) * (shadow - now)
        n_updates += 1
results["fit"] = {
    "params": torch.cat([params[n].detach().reshape(-1) for n in ("w1", "b1", "w2", "b2")]).tolist(),
    "ema": shadow.tolist(),
}

with open(os.path.join(out_dir, "results.json"), "w") as fh:
    json.dump(results, fh)
