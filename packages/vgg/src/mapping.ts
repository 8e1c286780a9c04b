/**
 * Weight-name mappings of the VGG family.
 *
 * - torchvision's files (download.pytorch.org) load with core's mechanical `default` mapping:
 *   tfzoo's layer names mirror torchvision's module paths (`features.3.weight` → layer
 *   `features_3`, `kernel`), and `classifier.0.weight` `[4096, 512·7·7]`, a dense layer after a
 *   flatten of the NCHW map, gets the dense-after-flatten layout automatically (DESIGN §3).
 * - timm's files (`timm/vgg*.tv_in1k` safetensors) load with `vgg/timm` (the family registers both as `vgg/<source>`):
 *   timm's `VGG` (`timm/models/vgg.py`) keeps the `features` names but stores the classifier as
 *   convolutions in `pre_logits` (`ConvMlp`: `fc1` a 7×7 conv `[4096, 512, 7, 7]`, `fc2` a 1×1 conv
 *   `[4096, 4096, 1, 1]`) and its last layer as `head.fc`. On the 7×7 map those convolutions are
 *   exactly torchvision's dense layers, so the mapping renames them onto `classifier.0/3/6` and
 *   loads the conv kernels with the matching layouts.
 */
import { convAsDenseTransform, flattenDenseTransform, type WeightMapping } from '@tfzoo/core';

/** The VGG family's weight mappings by source; registered as `vgg/torchvision` and `vgg/timm`. */
export const VGG_MAPPINGS: Readonly<Record<'torchvision' | 'timm', WeightMapping>> = Object.freeze({
  torchvision: {
    description: "torchvision's VGG module paths (. → _), the classifier's first dense layer after a flatten",
  },
  timm: {
    description: "timm VGG (pre_logits convs, head.fc) onto torchvision's VGG layout",
    renames: [
      { from: 'pre_logits.fc1', to: 'classifier.0' },
      { from: 'pre_logits.fc2', to: 'classifier.3' },
      { from: 'head.fc', to: 'classifier.6' },
    ],
    transforms: {
      'classifier_0/kernel': flattenDenseTransform([512, 7, 7], 'conv'),
      'classifier_3/kernel': convAsDenseTransform,
    },
    compoundNames: ['pre_logits'],
  },
});

/**
 * Id of the mapping that loads torchvision's VGG checkpoints under its earlier name (core's mechanical
 * `default`, which still loads them).
 *
 * @deprecated Use `VGG_FAMILY.mappingIds.torchvision` (`vgg/torchvision`).
 */
export const VGG_TORCHVISION_MAPPING = 'default';

/**
 * Id of the mapping that loads timm's VGG checkpoints under its earlier name, kept as an alias.
 *
 * @deprecated Use `VGG_FAMILY.mappingIds.timm` (`vgg/timm`).
 */
export const VGG_TIMM_MAPPING = 'timm-vgg';

/**
 * timm's VGG mapping under its earlier name.
 *
 * @deprecated Use `VGG_MAPPINGS.timm`, or the id `vgg/timm`.
 */
export const vggTimmMapping: WeightMapping = VGG_MAPPINGS.timm;
