/**
 * Weight-name mappings of GoogLeNet. tfzoo's layer names mirror torchvision's module paths
 * (`inception4a.branch2.1.conv.weight` → layer `inception4a_branch2_1_conv`, `kernel`;
 * `conv1.bn.running_var` → `conv1_bn`, `moving_variance`), so the mapping is core's mechanical one;
 * `aux1.fc1.weight` / `aux2.fc1.weight` `[1024, 128·4·4]` (dense after a flatten of the NCHW map)
 * get the dense-after-flatten layout automatically.
 *
 * torchvision's pretrained file always holds the auxiliary classifiers (`aux1.*`, `aux2.*`: it is
 * loaded with `aux_logits=True` and the heads are then deleted; torchvision warns they are not
 * trained). `GOOGLENET_MAPPINGS.torchvision` (registered as `googlenet/torchvision`, formerly
 * `torchvision-googlenet`; the pretrained config's mapping) drops them, as torchvision does, for the model without `auxLogits`,
 * and loads them into a model built with `auxLogits: true` (as does the `default` mapping).
 */
import type { WeightMapping } from '@tfzoo/core';

/** GoogLeNet's weight mappings by source; registered as `googlenet/torchvision`. */
export const GOOGLENET_MAPPINGS: Readonly<Record<'torchvision', WeightMapping>> = Object.freeze({
  torchvision: {
    description:
      'torchvision GoogLeNet; the auxiliary classifiers (aux1, aux2) load into a model built with auxLogits and are skipped otherwise',
    optional: [/^aux[12]\./],
  },
});

/**
 * The earlier id of the torchvision mapping, kept as an alias.
 *
 * @deprecated Use `GOOGLENET_FAMILY.mappingIds.torchvision` (`googlenet/torchvision`).
 */
export const GOOGLENET_MAPPING = 'torchvision-googlenet';

/** Id of the mapping for a model with auxiliary heads: core's mechanical `default`. */
export const GOOGLENET_AUX_MAPPING = 'default';

/** Module names of the auxiliary classifiers in torchvision's state dict. */
export const GOOGLENET_AUX_MODULES: readonly string[] = Object.freeze(['aux1', 'aux2']);

/**
 * torchvision's GoogLeNet mapping under its earlier name.
 *
 * @deprecated Use `GOOGLENET_MAPPINGS.torchvision`, or the id `googlenet/torchvision`.
 */
export const googlenetMapping: WeightMapping = GOOGLENET_MAPPINGS.torchvision;

/**
 * True when a source tensor is left out on purpose: the auxiliary classifiers' tensors when the
 * model was built without them.
 */
export function googlenetSkipsTensor(name: string, hasAuxLogits: boolean): boolean {
  return !hasAuxLogits && GOOGLENET_AUX_MODULES.some((module) => name.startsWith(`${module}.`));
}
