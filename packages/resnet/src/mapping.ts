/**
 * Reference names → tfzoo weights for the ResNet family.
 *
 * torchvision's `resnet*` / `resnext*` / `wide_resnet*` state dicts and timm's `ResNet` state dicts
 * (`resnet*.tv_in1k`, `seresnet*`, `seresnext*`) share one naming: `conv1`, `bn1`,
 * `layer{1-4}.{i}.conv{1-3}` / `bn{1-3}`, `layer{i}.0.downsample.{0,1}`, timm's `layer{i}.{j}.se.fc{1,2}`,
 * `fc`. tfzoo's layers carry the same names with `.` → `_`, so core's mechanical rule maps plain
 * convolutions, batch norms and the classifier. Explicit targets cover the two layers whose weights
 * are not one PyTorch module each: the (possibly grouped) 3×3 `conv2`, a `GroupConv2D` in ResNeXt
 * (`[O, I/g, 3, 3]` → `[3, 3, I/g, O]`), and the squeeze-and-excitation block, one `SqueezeExcite`
 * layer holding both 1×1 convolutions (`se.fc1.weight` `[R, C, 1, 1]` → `se/fc1_kernel` `[C, R]`).
 */
import { conv2dTransform, convAsDenseTransform, type TensorTarget, type WeightMapping } from '@tfzoo/core';

/**
 * The earlier id of the mapping that loads torchvision's and timm's ResNet-family files, kept as an alias.
 *
 * @deprecated Use `RESNET_FAMILY.mappingIds.torchvision` (`resnet/torchvision`).
 */
export const RESNET_MAPPING_ID = 'resnet';

/** Blocks per stage the explicit targets cover (ResNet-152 has 36 in `layer3`). */
export const MAX_BLOCKS_PER_STAGE = 64;

/**
 * Explicit targets of one squeeze-and-excitation module `<module>.fc{1,2}.{weight,bias}` loaded
 * into the `SqueezeExcite` layer `layer`.
 */
export function squeezeExciteTargets(module: string, layer: string): Record<string, TensorTarget> {
  return {
    [`${module}.fc1.weight`]: { layer, weight: 'fc1_kernel', transform: convAsDenseTransform },
    [`${module}.fc1.bias`]: { layer, weight: 'fc1_bias' },
    [`${module}.fc2.weight`]: { layer, weight: 'fc2_kernel', transform: convAsDenseTransform },
    [`${module}.fc2.bias`]: { layer, weight: 'fc2_bias' },
  };
}

/**
 * Explicit targets for every block `layer{1-4}.{0…63}`: its `conv2` kernel (grouped or not) and its
 * squeeze-and-excitation module `<block>.<seModule>`.
 */
export function blockTargets(seModule: string): Record<string, TensorTarget> {
  const tensors: Record<string, TensorTarget> = {};
  for (let stage = 1; stage <= 4; stage++) {
    for (let block = 0; block < MAX_BLOCKS_PER_STAGE; block++) {
      const module = `layer${stage}.${block}`;
      const layer = `layer${stage}_${block}`;
      tensors[`${module}.conv2.weight`] = {
        layer: `${layer}_conv2`,
        weight: 'kernel',
        transform: conv2dTransform,
      };
      Object.assign(tensors, squeezeExciteTargets(`${module}.${seModule}`, `${layer}_${seModule}`));
    }
  }
  return tensors;
}

/**
 * The ResNet family's weight mappings by source; registered as `resnet/torchvision`. timm's ResNet
 * files (`resnet*.tv_in1k`, `seresnet*`) use torchvision's names, so the one mapping loads both.
 */
export const RESNET_MAPPINGS: Readonly<Record<'torchvision', WeightMapping>> = Object.freeze({
  torchvision: {
    description: "torchvision's resnet/resnext/wide_resnet and timm's ResNet (incl. SE) state dicts",
    tensors: blockTargets('se'),
  },
});

/**
 * The ResNet mapping under its earlier name.
 *
 * @deprecated Use `RESNET_MAPPINGS.torchvision`, or the id `resnet/torchvision`.
 */
export const RESNET_MAPPING: WeightMapping = RESNET_MAPPINGS.torchvision;
