/**
 * Reference names → tfzoo weights for the ShuffleNet family.
 *
 * - `shufflenet/torchvision`: torchvision's ShuffleNetV2 state dicts (`conv1.0.weight`,
 *   `stage2.0.branch1.0.weight`, …, `fc.bias`). Every module is one plain tfjs layer with the same
 *   name (`.` → `_`), so core's mechanical rule does everything; depthwise kernels
 *   `[C, 1, 3, 3]` take core's depthwise layout.
 * - `shufflenet/megvii`: state dicts in the layout of megvii's `ShuffleNetV1`
 *   (`first_conv.0.weight`, `features.N.branch_main_1.0.weight`, …, `classifier.0.weight`). The
 *   grouped 1×1 convolutions are `@tfzoo/layers` `GroupConv2D` layers, whose `[O, I/g, 1, 1]` kernels
 *   get explicit targets with the plain conv transpose; the rest is mechanical.
 */
import { conv2dTransform, type TensorTarget, type WeightMapping } from '@tfzoo/core';

/**
 * Id of the mapping of torchvision's ShuffleNetV2 files.
 *
 * @deprecated Use `SHUFFLENET_FAMILY.mappingIds.torchvision` (the same id).
 */
export const SHUFFLENET_TORCHVISION_MAPPING_ID = 'shufflenet/torchvision';

/**
 * Id of the mapping of megvii-layout ShuffleNet v1 state dicts.
 *
 * @deprecated Use `SHUFFLENET_FAMILY.mappingIds.megvii` (the same id).
 */
export const SHUFFLENET_MEGVII_MAPPING_ID = 'shufflenet/megvii';

/** Units the megvii mapping's explicit targets cover (the paper's networks have 16). */
export const MAX_V1_UNITS = 64;

function megviiTargets(): Record<string, TensorTarget> {
  const tensors: Record<string, TensorTarget> = {};
  for (let unit = 0; unit < MAX_V1_UNITS; unit++) {
    for (const branch of ['branch_main_1', 'branch_main_2']) {
      tensors[`features.${unit}.${branch}.0.weight`] = {
        layer: `features_${unit}_${branch}_0`,
        weight: 'kernel',
        transform: conv2dTransform,
      };
    }
  }
  return tensors;
}

/** ShuffleNet's weight mappings by source; registered as `shufflenet/torchvision` and `shufflenet/megvii`. */
export const SHUFFLENET_MAPPINGS: Readonly<Record<'torchvision' | 'megvii', WeightMapping>> = Object.freeze({
  torchvision: {
    description: "torchvision's shufflenet_v2_x0_5 … x2_0 state dicts (module path with . → _)",
  },
  megvii: {
    description:
      'megvii ShuffleNet-Series ShuffleNetV1 state dicts (first_conv, features.N.branch_main_*, classifier.0)',
    tensors: megviiTargets(),
    compoundNames: ['first_conv', 'branch_main_1', 'branch_main_2', 'branch_proj'],
  },
});

/**
 * The mapping of torchvision's ShuffleNetV2 state dicts.
 *
 * @deprecated Use `SHUFFLENET_MAPPINGS.torchvision`.
 */
export const SHUFFLENET_TORCHVISION_MAPPING: WeightMapping = SHUFFLENET_MAPPINGS.torchvision;

/**
 * The mapping of megvii-layout ShuffleNet v1 state dicts.
 *
 * @deprecated Use `SHUFFLENET_MAPPINGS.megvii`.
 */
export const SHUFFLENET_MEGVII_MAPPING: WeightMapping = SHUFFLENET_MAPPINGS.megvii;
