/**
 * Layer names of the MobileNet family in the reference implementations' module paths (`.` → `_`),
 * so that a state dict maps onto a model mechanically (DESIGN §2):
 *
 * - `torchvision-v2` — torchvision `models/mobilenetv2.py`: `features.0` (stem
 *   `Conv2dNormActivation`), `features.N.conv.M` inside each `InvertedResidual`, the last
 *   `features.N` 1×1 conv, `classifier.1`.
 * - `torchvision-v3` — torchvision `models/mobilenetv3.py`: `features.N.block.M` (expand, depthwise,
 *   squeeze-excitation, project, numbered in order), `classifier.0` / `classifier.3`.
 * - `timm` — timm's `_efficientnet_builder` / `_efficientnet_blocks` (`EfficientNet` and
 *   `MobileNetV3` classes): `conv_stem`, `bn1`, `blocks.S.I.{conv_dw,bn1,se,conv_pw,bn2}` for
 *   depthwise-separable blocks, `blocks.S.I.{conv_pw,bn1,conv_dw,bn2,se,conv_pwl,bn3}` for inverted
 *   residuals, `blocks.S.I.{conv,bn1}` for conv blocks, `conv_head`, `bn2`, `classifier`.
 */
import { ZooError } from '@tfzoo/core';

/** Which reference's module names a model's layers carry. */
export type MobileNetLayout = 'torchvision-v2' | 'torchvision-v3' | 'timm';

/** Every {@link MobileNetLayout}, for validation. */
export const MOBILENET_LAYOUTS: readonly MobileNetLayout[] = ['torchvision-v2', 'torchvision-v3', 'timm'];

/** Names of one convolution → batch norm → activation unit (and its explicit padding). */
export interface ConvUnitNames {
  /** The convolution. */
  conv: string;
  /** Its batch norm. */
  bn: string;
  /** The activation after the batch norm. */
  act: string;
  /** The zero padding before a strided convolution. */
  pad: string;
}

/** Names of the layers of one block. */
export interface BlockNames {
  /** The 1×1 expansion (inverted residuals) or the single convolution (conv blocks). */
  expand?: ConvUnitNames;
  /** The depthwise convolution. */
  depthwise?: ConvUnitNames;
  /** The squeeze-and-excitation layer. */
  se?: string;
  /** The 1×1 projection. */
  project?: ConvUnitNames;
  /** The residual addition. */
  add: string;
}

/** The kind of a block (see `BlockConfig` in `mobilenet.ts`). */
export type BlockKind = 'ds' | 'ir' | 'conv';

/** Where a block sits: its stage, its index in the stage, and its index over all blocks. */
export interface BlockPosition {
  /** Stage index (timm's `blocks.S`). */
  stage: number;
  /** Index within the stage (timm's `blocks.S.I`). */
  index: number;
  /** Index over all blocks (torchvision's `features.{global + 1}`). */
  global: number;
}

/** The names a layout gives every layer of a MobileNet. */
export interface MobileNetNaming {
  /** The stem convolution unit. */
  stem: ConvUnitNames;
  /** The layers of a block. */
  block(kind: BlockKind, position: BlockPosition, hasSe: boolean): BlockNames;
  /** The 1×1 head convolution unit after the blocks (`blockCount` blocks precede it). */
  head(blockCount: number): ConvUnitNames;
  /** The layer after pooling that widens the pooled vector (MobileNetV3), and its activation. */
  preLogits: { layer: string; act: string };
  /** The dropout before the classifier. */
  dropout: string;
  /** The classifier. */
  classifier: string;
}

const layerName = (modulePath: string) => modulePath.replaceAll('.', '_');

/** A torchvision `Conv2dNormActivation` at `path`: `path.0` conv, `path.1` norm, `path.2` act. */
function sequentialUnit(path: string): ConvUnitNames {
  return {
    conv: layerName(`${path}.0`),
    bn: layerName(`${path}.1`),
    act: layerName(`${path}.2`),
    pad: layerName(`${path}.0.pad`),
  };
}

/** A timm unit: `path.conv` and `path.bn` (timm's `BatchNormAct2d` holds the activation). */
function timmUnit(path: string, conv: string, bn: string): ConvUnitNames {
  return {
    conv: layerName(`${path}${conv}`),
    bn: layerName(`${path}${bn}`),
    act: layerName(`${path}${bn}.act`),
    pad: layerName(`${path}${conv}.pad`),
  };
}

function unsupported(layout: MobileNetLayout, what: string): ZooError {
  return new ZooError('INVALID_ARGUMENT', `the ${layout} layout has no module for ${what}`, {
    received: what,
    expected: `a configuration ${layout} can name (use the timm layout)`,
  });
}

const torchvisionV2: MobileNetNaming = {
  stem: sequentialUnit('features.0'),
  block(kind, position, hasSe) {
    const path = `features.${position.global + 1}`;
    if (hasSe) throw unsupported('torchvision-v2', 'squeeze-and-excitation');
    if (kind === 'conv') return { expand: sequentialUnit(path), add: layerName(`${path}.add`) };
    // InvertedResidual.conv: [expand Conv2dNormActivation], depthwise Conv2dNormActivation, Conv2d, BatchNorm2d.
    const offset = kind === 'ir' ? 1 : 0;
    const project = {
      conv: layerName(`${path}.conv.${offset + 1}`),
      bn: layerName(`${path}.conv.${offset + 2}`),
      act: layerName(`${path}.conv.${offset + 2}.act`),
      pad: layerName(`${path}.conv.${offset + 1}.pad`),
    };
    return {
      ...(kind === 'ir' ? { expand: sequentialUnit(`${path}.conv.0`) } : {}),
      depthwise: sequentialUnit(`${path}.conv.${offset}`),
      project,
      add: layerName(`${path}.add`),
    };
  },
  head: (blockCount) => sequentialUnit(`features.${blockCount + 1}`),
  preLogits: { layer: 'pre_logits', act: 'pre_logits_act' },
  dropout: 'classifier_0',
  classifier: 'classifier_1',
};

const torchvisionV3: MobileNetNaming = {
  stem: sequentialUnit('features.0'),
  block(kind, position, hasSe) {
    const path = `features.${position.global + 1}`;
    if (kind === 'conv') return { expand: sequentialUnit(path), add: layerName(`${path}.add`) };
    // InvertedResidual.block: [expand], depthwise, [SqueezeExcitation], project — numbered in order.
    let next = 0;
    const names: BlockNames = { add: layerName(`${path}.add`) };
    if (kind === 'ir') names.expand = sequentialUnit(`${path}.block.${next++}`);
    names.depthwise = sequentialUnit(`${path}.block.${next++}`);
    if (hasSe) names.se = layerName(`${path}.block.${next++}`);
    names.project = sequentialUnit(`${path}.block.${next}`);
    return names;
  },
  head: (blockCount) => sequentialUnit(`features.${blockCount + 1}`),
  preLogits: { layer: 'classifier_0', act: 'classifier_1' },
  dropout: 'classifier_2',
  classifier: 'classifier_3',
};

const timm: MobileNetNaming = {
  stem: timmUnit('', 'conv_stem', 'bn1'),
  block(kind, position, hasSe) {
    const path = `blocks.${position.stage}.${position.index}.`;
    const names: BlockNames = { add: layerName(`${path}add`) };
    if (kind === 'conv') {
      names.expand = timmUnit(path, 'conv', 'bn1');
    } else if (kind === 'ds') {
      names.depthwise = timmUnit(path, 'conv_dw', 'bn1');
      names.project = timmUnit(path, 'conv_pw', 'bn2');
    } else {
      names.expand = timmUnit(path, 'conv_pw', 'bn1');
      names.depthwise = timmUnit(path, 'conv_dw', 'bn2');
      names.project = timmUnit(path, 'conv_pwl', 'bn3');
    }
    if (hasSe) names.se = layerName(`${path}se`);
    return names;
  },
  head: () => timmUnit('', 'conv_head', 'bn2'),
  preLogits: { layer: 'conv_head', act: 'conv_head_act' },
  dropout: 'dropout',
  classifier: 'classifier',
};

/** The naming scheme of a layout. */
export function namingFor(layout: MobileNetLayout): MobileNetNaming {
  if (layout === 'torchvision-v2') return torchvisionV2;
  if (layout === 'torchvision-v3') return torchvisionV3;
  return timm;
}
