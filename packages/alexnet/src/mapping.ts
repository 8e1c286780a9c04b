/**
 * Weight-name mapping of AlexNet. tfzoo's layer names mirror torchvision's module paths
 * (`features.3.weight` → layer `features_3`, `kernel`), so torchvision's checkpoint loads with the
 * mechanical rule (`.` → `_`). `classifier.1.weight` `[4096, 256·6·6]` is a dense layer after a
 * flatten (and a dropout) of the NCHW map; the mapping's Dense layout detects that and applies the
 * dense-after-flatten transform (DESIGN §3): reshape to `[O, C, H, W]`, transpose to `[H, W, C, O]`,
 * reshape to `[H·W·C, O]`. The paper style's grouped convolutions load with the layout `@tfzoo/layers`
 * registers for `GroupConv2D` (the same as a plain convolution's).
 */
import type { WeightMapping } from '@tfzoo/core';

/** AlexNet's weight mappings by source; registered as `alexnet/torchvision`. */
export const ALEXNET_MAPPINGS: Readonly<Record<'torchvision', WeightMapping>> = Object.freeze({
  torchvision: { description: "torchvision's AlexNet module paths (. → _)" },
});

/**
 * Id of the mapping that loaded torchvision's AlexNet checkpoint before the family ids: core's
 * mechanical `default`, which still loads it.
 *
 * @deprecated Use `ALEXNET_FAMILY.mappingIds.torchvision` (`alexnet/torchvision`).
 */
export const ALEXNET_MAPPING = 'default';
