"""PyTorch side of @tfzoo/shufflenet's parity tests (run with /usr/bin/python3: torch, torchvision).
Shared helpers come from @tfzoo/test-harness's torch_common.py (the harness puts its src folder on PYTHONPATH).

  python3 reference.py serve OUT_DIR
      Writes, then prints "ready":
      - OUT_DIR/input.f32: a fixed input [2, 64, 64, 3] (NHWC, little-endian float32);
      - OUT_DIR/shufflenet_v2_x1_0.pth: torchvision's shufflenet_v2_x1_0 with random weights
        (torch.manual_seed) and randomized batch-norm parameters and statistics, torch.save (zip),
        and OUT_DIR/shufflenet_v2_x1_0.logits.f32, its eval-mode logits on the input;
      - OUT_DIR/<id>.pth and <id>.logits.f32 likewise for ShuffleNet v1 in megvii's layout
        (MegviiShuffleNetV1 below) for the ids in V1_PARITY;
      - OUT_DIR/reference.json: torchvision's ShuffleNetV2 weight metadata (URL, num_params, accuracy,
        transforms, categories), the parameter counts of torchvision's four models as built, and of
        megvii's eight published ShuffleNet v1 configurations as built.
      Then answers one request per stdin line: "roundtrip FILE.safetensors" loads FILE into
      torchvision's shufflenet_v2_x1_0 with strict=True and writes OUT_DIR/roundtrip.logits.f32,
      then prints "done".

MegviiShuffleNetV1 restates the module structure of megvii-model/ShuffleNet-Series
`ShuffleNetV1/network.py` and `blocks.py` (the authors' reference): module names, the unshuffled
first 1×1 of stage 2, the channel shuffle `reshape(C/g, g)` → transpose, the `AvgPool2d(3, 2, 1)`
shortcut concatenated before the ReLU'd main branch, and the bias-free classifier. The global pool is
a mean over the spatial axes (megvii's `AvgPool2d(7)` is that mean at 224×224 inputs).
"""
import json
import sys

import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from torch_common import randomize_batch_norm, read_safetensors, serve, weight_entries, write_f32

SIZE = 64
V2_ARCHS = ['shufflenet_v2_x0_5', 'shufflenet_v2_x1_0', 'shufflenet_v2_x1_5', 'shufflenet_v2_x2_0']

# megvii ShuffleNetV1/network.py: stage_out_channels per group count and model size.
MEGVII_CHANNELS = {
    3: {'0.5x': [12, 120, 240, 480], '1.0x': [24, 240, 480, 960],
        '1.5x': [24, 360, 720, 1440], '2.0x': [48, 480, 960, 1920]},
    8: {'0.5x': [16, 192, 384, 768], '1.0x': [24, 384, 768, 1536],
        '1.5x': [24, 576, 1152, 2304], '2.0x': [48, 768, 1536, 3072]},
}
V1_PARITY = [(3, '1.0x'), (8, '0.5x'), (1, None)]  # (groups, megvii size) or a Table 1 model


class MegviiUnit(nn.Module):
    def __init__(self, inp, oup, group, first_group, stride):
        super().__init__()
        mid = oup // 4
        outputs = oup - inp if stride == 2 else oup
        self.group = group
        self.stride = stride
        self.branch_main_1 = nn.Sequential(
            nn.Conv2d(inp, mid, 1, 1, 0, groups=1 if first_group else group, bias=False),
            nn.BatchNorm2d(mid),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False),
            nn.BatchNorm2d(mid),
        )
        self.branch_main_2 = nn.Sequential(
            nn.Conv2d(mid, outputs, 1, 1, 0, groups=group, bias=False),
            nn.BatchNorm2d(outputs),
        )
        if stride == 2:
            self.branch_proj = nn.AvgPool2d(kernel_size=3, stride=2, padding=1)

    def forward(self, x):
        y = self.branch_main_1(x)
        if self.group > 1:
            b, c, h, w = y.shape
            y = y.reshape(b, c // self.group, self.group, h, w).permute(0, 2, 1, 3, 4).reshape(b, c, h, w)
        y = self.branch_main_2(y)
        if self.stride == 1:
            return F.relu(y + x)
        return torch.cat((self.branch_proj(x), F.relu(y)), 1)


class MegviiShuffleNetV1(nn.Module):
    def __init__(self, channels, group, num_classes=1000):
        super().__init__()
        stem, stages = channels[0], channels[1:]
        self.first_conv = nn.Sequential(nn.Conv2d(3, stem, 3, 2, 1, bias=False), nn.BatchNorm2d(stem), nn.ReLU(inplace=True))
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        units, inp = [], stem
        for stage, (repeats, oup) in enumerate(zip([4, 8, 4], stages)):
            for i in range(repeats):
                units.append(MegviiUnit(inp, oup, group, stage == 0 and i == 0, 2 if i == 0 else 1))
                inp = oup
        self.features = nn.Sequential(*units)
        self.classifier = nn.Sequential(nn.Linear(inp, num_classes, bias=False))

    def forward(self, x):
        x = self.features(self.maxpool(self.first_conv(x)))
        return self.classifier(x.mean([2, 3]))


TABLE1 = {1: [144, 288, 576], 2: [200, 400, 800], 3: [240, 480, 960], 4: [272, 544, 1088], 8: [384, 768, 1536]}


def v1_id(group, size):
    return f"shufflenet_v1_g{group}_x{(size or '1.0x')[:-1].replace('.', '_')}"


def v1_channels(group, size):
    return MEGVII_CHANNELS[group][size] if size else [24] + TABLE1[group]


def fixed_input():
    return torch.randn(2, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(1234))


def count(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def save_with_logits(model, name, out, x, generator):
    randomize_batch_norm(model, generator)
    model.eval()
    torch.save(model.state_dict(), f'{out}/{name}.pth')
    with torch.no_grad():
        write_f32(f'{out}/{name}.logits.f32', model(x))


def generate(out):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(42)
    x = fixed_input()
    write_f32(f'{out}/input.f32', x.permute(0, 2, 3, 1))
    save_with_logits(torchvision.models.shufflenet_v2_x1_0(weights=None), 'shufflenet_v2_x1_0', out, x, generator)
    for group, size in V1_PARITY:
        model = MegviiShuffleNetV1(v1_channels(group, size), group)
        # He-normal kernels keep the random activations O(1) through all 16 units.
        for module in model.modules():
            if isinstance(module, nn.Conv2d):
                fan_in = module.weight[0].numel()
                nn.init.normal_(module.weight, 0, (2 / fan_in) ** 0.5)
        save_with_logits(model, v1_id(group, size), out, x, generator)
    reference = {'v2NumParams': {}, 'v1NumParams': {}, 'weights': {}}
    for arch in V2_ARCHS:
        reference['v2NumParams'][arch] = count(getattr(torchvision.models, arch)(weights=None))
        reference['weights'].update(weight_entries(arch))
    for group, sizes in MEGVII_CHANNELS.items():
        for size, channels in sizes.items():
            reference['v1NumParams'][v1_id(group, size)] = {
                'channels': channels, 'numParams': count(MegviiShuffleNetV1(channels, group))}
    with open(f'{out}/reference.json', 'w') as f:
        json.dump(reference, f)


def roundtrip(out, path):
    model = torchvision.models.shufflenet_v2_x1_0(weights=None)
    model.load_state_dict(read_safetensors(path), strict=True)
    model.eval()
    with torch.no_grad():
        write_f32(f'{out}/roundtrip.logits.f32', model(fixed_input()))


def serve_requests(out):
    generate(out)
    serve({'roundtrip': lambda path: roundtrip(out, path)})


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[1] != 'serve':
        raise SystemExit('usage: reference.py serve OUT_DIR')
    serve_requests(sys.argv[2])
