/**
 * The residual blocks of the original SENet layout (Cadene's `pretrainedmodels`, kept by timm as
 * `timm/models/senet.py`): squeeze-and-excitation on the branch before the residual sum, module
 * `se_module` with `channels // reduction` bottleneck channels, and — unlike torchvision — the
 * stride of SE-ResNet bottlenecks on the first 1×1 convolution (Caffe's placement).
 *
 * Names mirror timm's modules with `.` → `_` (`layer1.0.se_module` → `layer1_0_se_module`).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { convBn, relu, residualOutput, squeezeExcite } from '@tfzoo/resnet';

type Tensor = tfl.SymbolicTensor;

/**
 * Residual block types of the legacy SENet: `basic` = `SEResNetBlock` (two 3×3, expansion 1),
 * `bottleneck` = `SEResNetBottleneck` (stride on the first 1×1), `resnext` = `SEResNeXtBottleneck`
 * (grouped 3×3 with the stride), `senet` = `SEBottleneck` of SENet-154 (widths 2·planes → 4·planes,
 * grouped 3×3 with the stride).
 */
export type LegacyBlockType = 'basic' | 'bottleneck' | 'resnext' | 'senet';

/** Output channels per `planes` of each block type. */
export const LEGACY_EXPANSION: Readonly<Record<LegacyBlockType, number>> = {
  basic: 1,
  bottleneck: 4,
  resnext: 4,
  senet: 4,
};

/** Arguments of one legacy SENet block. */
export interface LegacyBlockArgs {
  /** Block type. */
  type: LegacyBlockType;
  /** Name prefix, e.g. `layer2_0`. */
  prefix: string;
  /** Input channels. */
  inChannels: number;
  /** The stage's `planes`. */
  planes: number;
  /** Stride of the block. */
  stride: number;
  /** Groups of the 3×3 convolution. */
  groups: number;
  /** SE reduction: the bottleneck has `outChannels // reduction` channels. */
  reduction: number;
  /** Width per group of `resnext` blocks (timm's `base_width`, 4). */
  baseWidth: number;
  /** Kernel size of the projection shortcut (1; 3 for SENet-154 after `layer1`). */
  downsampleKernelSize: number;
  /** Padding of the projection shortcut (0; 1 for SENet-154 after `layer1`). */
  downsamplePadding: number;
  /** Start every kernel at zero instead of the random reference init. */
  skipInit: boolean;
}

interface BranchConv {
  filters: number;
  kernelSize: number;
  stride: number;
  groups: number;
}

/** The branch convolutions of each block type, as `timm/models/senet.py` declares them. */
function branchConvs(args: LegacyBlockArgs): BranchConv[] {
  const { planes, stride, groups } = args;
  const conv = (filters: number, kernelSize: number, convStride = 1, convGroups = 1): BranchConv => ({
    filters,
    kernelSize,
    stride: convStride,
    groups: convGroups,
  });
  switch (args.type) {
    case 'basic':
      return [conv(planes, 3, stride), conv(planes, 3, 1, groups)];
    case 'bottleneck':
      return [conv(planes, 1, stride), conv(planes, 3, 1, groups), conv(planes * 4, 1)];
    case 'resnext': {
      const width = Math.floor(planes * (args.baseWidth / 64)) * groups;
      return [conv(width, 1), conv(width, 3, stride, groups), conv(planes * 4, 1)];
    }
    case 'senet':
      return [conv(planes * 2, 1), conv(planes * 4, 3, stride, groups), conv(planes * 4, 1)];
  }
}

/**
 * One legacy SENet block: the branch (conv–bn–relu …; the last batch norm is followed by a ReLU
 * only in `SEResNetBlock`, as in timm), `se_module`, the projection shortcut `downsample.{0,1}`
 * when the shape changes, the sum and its ReLU.
 */
export function legacyBlock(x: Tensor, args: LegacyBlockArgs): Tensor {
  const { prefix } = args;
  const convs = branchConvs(args);
  const outChannels = args.planes * LEGACY_EXPANSION[args.type];
  let y = x;
  convs.forEach((conv, index) => {
    const n = index + 1;
    y = convBn(
      y,
      {
        filters: conv.filters,
        kernelSize: conv.kernelSize,
        stride: conv.stride,
        padding: (conv.kernelSize - 1) / 2,
        groups: conv.groups,
        name: `${prefix}_conv${n}`,
        skipInit: args.skipInit,
      },
      `${prefix}_bn${n}`,
    );
    if (n < convs.length || args.type === 'basic') y = relu(y, `${prefix}_relu${n}`);
  });
  y = squeezeExcite(y, Math.floor(outChannels / args.reduction), `${prefix}_se_module`, args.skipInit);
  let shortcut = x;
  if (args.stride !== 1 || args.inChannels !== outChannels) {
    shortcut = convBn(
      x,
      {
        filters: outChannels,
        kernelSize: args.downsampleKernelSize,
        stride: args.stride,
        padding: args.downsamplePadding,
        name: `${prefix}_downsample_0`,
        skipInit: args.skipInit,
      },
      `${prefix}_downsample_1`,
    );
  }
  return residualOutput(y, shortcut, prefix, 'relu');
}
