/**
 * Reference names → tfzoo weights for the MobileNet family.
 *
 * Layers carry the reference's module paths with `.` → `_` (see `naming.ts`), so core's mechanical
 * rule maps every convolution (`[O, I, kh, kw]` → `[kh, kw, I, O]`), depthwise convolution
 * (`[C, 1, kh, kw]` → `[kh, kw, C, 1]`), batch norm and linear layer. Explicit targets cover the one
 * layer that holds two PyTorch modules: the squeeze-and-excitation block, a single `SqueezeExcite`
 * layer whose 1×1 convolutions are stored as dense kernels (`fc1.weight` `[R, C, 1, 1]` →
 * `fc1_kernel` `[C, R]`).
 *
 * - `mobilenet/torchvision`: torchvision's `mobilenet_v2` / `mobilenet_v3_*` state dicts; SE modules
 *   are `features.N.block.M.fc{1,2}`.
 * - `mobilenet/timm`: timm's `mobilenetv1_*` / `mobilenetv2_*` / `mobilenetv3_*` state dicts; SE
 *   modules are `blocks.S.I.se.conv_{reduce,expand}`. Its `compoundNames` let `saveWeights` write
 *   timm's names back (`blocks_0_0_conv_dw` → `blocks.0.0.conv_dw`).
 */
import { convAsDenseTransform, type TensorTarget, type WeightMapping } from '@tfzoo/core';

/**
 * Id of the mapping that loads torchvision's MobileNetV2/V3 files.
 *
 * @deprecated Use `MOBILENET_FAMILY.mappingIds.torchvision` (the same id).
 */
export const MOBILENET_TORCHVISION_MAPPING_ID = 'mobilenet/torchvision';

/**
 * Id of the mapping that loads timm's MobileNet files.
 *
 * @deprecated Use `MOBILENET_FAMILY.mappingIds.timm` (the same id).
 */
export const MOBILENET_TIMM_MAPPING_ID = 'mobilenet/timm';

/** Range of block indices the explicit squeeze-and-excitation targets cover. */
const MAX_FEATURES = 64;
const MAX_STAGES = 16;
const MAX_BLOCKS_PER_STAGE = 32;

/**
 * Explicit targets of one squeeze-and-excitation module: `<module>.<reduce>.{weight,bias}` and
 * `<module>.<expand>.{weight,bias}` loaded into the `SqueezeExcite` layer `layer`.
 */
export function squeezeExciteTargets(
  module: string,
  layer: string,
  [reduce, expand]: readonly [string, string],
): Record<string, TensorTarget> {
  return {
    [`${module}.${reduce}.weight`]: { layer, weight: 'fc1_kernel', transform: convAsDenseTransform },
    [`${module}.${reduce}.bias`]: { layer, weight: 'fc1_bias' },
    [`${module}.${expand}.weight`]: { layer, weight: 'fc2_kernel', transform: convAsDenseTransform },
    [`${module}.${expand}.bias`]: { layer, weight: 'fc2_bias' },
  };
}

function torchvisionTargets(): Record<string, TensorTarget> {
  const tensors: Record<string, TensorTarget> = {};
  for (let feature = 1; feature < MAX_FEATURES; feature++) {
    // The SE module is block.1 (no expansion) or block.2 (after the expansion).
    for (const position of [1, 2]) {
      const module = `features.${feature}.block.${position}`;
      Object.assign(tensors, squeezeExciteTargets(module, module.replaceAll('.', '_'), ['fc1', 'fc2']));
    }
  }
  return tensors;
}

function timmTargets(): Record<string, TensorTarget> {
  const tensors: Record<string, TensorTarget> = {};
  for (let stage = 0; stage < MAX_STAGES; stage++) {
    for (let block = 0; block < MAX_BLOCKS_PER_STAGE; block++) {
      const module = `blocks.${stage}.${block}.se`;
      Object.assign(
        tensors,
        squeezeExciteTargets(module, module.replaceAll('.', '_'), ['conv_reduce', 'conv_expand']),
      );
    }
  }
  return tensors;
}

/** The MobileNet family's weight mappings by source; registered as `mobilenet/torchvision` and `mobilenet/timm`. */
export const MOBILENET_MAPPINGS: Readonly<Record<'torchvision' | 'timm', WeightMapping>> = Object.freeze({
  torchvision: {
    description: "torchvision's mobilenet_v2 / mobilenet_v3_large / mobilenet_v3_small state dicts",
    tensors: torchvisionTargets(),
  },
  timm: {
    description: "timm's mobilenetv1 / mobilenetv2 / mobilenetv3 state dicts (EfficientNet-builder names)",
    tensors: timmTargets(),
    compoundNames: ['conv_stem', 'conv_dw', 'conv_pw', 'conv_pwl', 'conv_head'],
  },
});

/**
 * The mapping of torchvision's MobileNetV2/V3 state dicts.
 *
 * @deprecated Use `MOBILENET_MAPPINGS.torchvision`.
 */
export const MOBILENET_TORCHVISION_MAPPING: WeightMapping = MOBILENET_MAPPINGS.torchvision;

/**
 * The mapping of timm's MobileNet state dicts.
 *
 * @deprecated Use `MOBILENET_MAPPINGS.timm`.
 */
export const MOBILENET_TIMM_MAPPING: WeightMapping = MOBILENET_MAPPINGS.timm;
