"""ShuffleNet v1 in megvii's layout, for parity tests (torchvision has no ShuffleNet v1).

MegviiShuffleNetV1 restates the module structure of megvii-model/ShuffleNet-Series
`ShuffleNetV1/network.py` and `blocks.py` (the authors' reference): module names, the unshuffled
first 1×1 of stage 2, the channel shuffle `reshape(C/g, g)` → transpose, the `AvgPool2d(3, 2, 1)`
shortcut concatenated before the ReLU'd main branch, and the bias-free classifier. The global pool is
a mean over the spatial axes (megvii's `AvgPool2d(7)` is that mean at 224×224 inputs).
"""
import torch
import torch.nn.functional as F
from torch import nn

# megvii ShuffleNetV1/network.py: stage_out_channels (stem, stage 2..4) per group count and model size.
MEGVII_CHANNELS = {
    3: {'0.5x': [12, 120, 240, 480], '1.0x': [24, 240, 480, 960],
        '1.5x': [24, 360, 720, 1440], '2.0x': [48, 480, 960, 1920]},
    8: {'0.5x': [16, 192, 384, 768], '1.0x': [24, 384, 768, 1536],
        '1.5x': [24, 576, 1152, 2304], '2.0x': [48, 768, 1536, 3072]},
}
# The paper's Table 1 (Zhang et al., 2018): stage 2..4 output channels of the 1× model per group count.
TABLE1 = {1: [144, 288, 576], 2: [200, 400, 800], 3: [240, 480, 960], 4: [272, 544, 1088], 8: [384, 768, 1536]}


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
        self.stage_out_channels = list(channels)
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


def megvii_shufflenet_v1(group, size=None, num_classes=1000):
    """megvii's published configuration `size` ('0.5x' … '2.0x', groups 3 and 8), or with `size` None
    the paper's Table 1 widths (stem 24) at `group`."""
    channels = MEGVII_CHANNELS[group][size] if size else [24] + TABLE1[group]
    return MegviiShuffleNetV1(channels, group, num_classes)


def megvii_configurations():
    """The eight configurations megvii publishes, as `(group, size)`."""
    return [(group, size) for group, sizes in MEGVII_CHANNELS.items() for size in sizes]
