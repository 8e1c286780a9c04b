"""PyTorch CPU side of train-bench.mjs: the same LeNet-5 and ResNet-18 training steps.

Prints one JSON line per model: {"model", "batch", "stepMs", "steps"}. Run with /usr/bin/python3.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torchvision


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10),
    )


def measure(model, batch, size, channels, classes, min_seconds):
    torch.manual_seed(0)
    x = torch.randn(batch, channels, size, size)
    y = torch.randint(0, classes, (batch,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    step()
    steps = 0
    start = time.perf_counter()
    while steps < 3 or time.perf_counter() - start < min_seconds:
        step()
        steps += 1
    return (time.perf_counter() - start) * 1000 / steps, steps


def main():
    min_seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    only = sys.argv[2].split(",") if len(sys.argv) > 2 else ["lenet5", "resnet18"]
    torch.set_num_threads(torch.get_num_threads())
    for name, build, batch, size, channels, classes in (
        ("lenet5", lenet5, 64, 28, 1, 10),
        ("resnet18", lambda: torchvision.models.resnet18(num_classes=1000), 16, 64, 3, 1000),
    ):
        if name not in only:
            continue
        model = build()
        ms, steps = measure(model, batch, size, channels, classes, min_seconds)
        print(json.dumps({"model": name, "batch": batch, "stepMs": ms, "steps": steps,
                          "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
