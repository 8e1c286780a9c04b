/**
 * The parity evidence behind each family's numbers: which test compares our models with which
 * reference, for which variants, at which input size, and within what error bound. Families do not
 * (yet) declare this as data, so it lives here as a table that names each test file; the generator
 * checks that every named file exists and says "no parity test" for a family without an entry, so a
 * card never claims evidence the repository does not hold.
 */

/** One parity test: a comparison of our models with a reference implementation. */
export interface ParityEvidence {
  /** Test file, relative to the repository root. */
  file: string;
  /** What the models are compared with (implementation and version). */
  reference: string;
  /** Architecture ids the test compares directly. */
  variants: readonly string[];
  /** Input height and width of the comparison. */
  inputSize: number;
  /** The asserted bound, in words. */
  bound: string;
  /** What else the test checks (round trip, parameter counts, …). */
  also?: string;
}

const LOGITS = 'max |ours − reference| ≤ 1e-4 × max |reference logit| (float32)';
const ROUND_TRIP =
  'saved with reference names, loads into PyTorch with `strict=True` and gives the same logits (≤ 1e-6 × scale)';

/** Parity evidence by family id (the `family` field of a {@link @tfzoo/core!ModelDefinition}). */
export const PARITY_EVIDENCE: Readonly<Record<string, readonly ParityEvidence[]>> = Object.freeze({
  alexnet: [
    {
      file: 'packages/alexnet/src/parity.test.ts',
      reference: 'torchvision 0.14 `alexnet` and the paper network built in PyTorch, random weights',
      variants: ['alexnet', 'alexnet_paper'],
      inputSize: 112,
      bound: LOGITS,
    },
  ],
  googlenet: [
    {
      file: 'packages/googlenet/src/parity.test.ts',
      reference: 'torchvision 0.14 `googlenet` (with and without auxiliary heads), random weights',
      variants: ['googlenet'],
      inputSize: 80,
      bound: LOGITS,
    },
  ],
  mobilenet: [
    {
      file: 'packages/mobilenet/src/parity.test.ts',
      reference: 'torchvision 0.14 MobileNet V2/V3, random weights and batch-norm statistics',
      variants: ['mobilenet_v2', 'mobilenet_v3_large', 'mobilenet_v3_small'],
      inputSize: 72,
      bound: LOGITS,
      also: `V3: ${ROUND_TRIP}; parameter counts equal torchvision's at every width`,
    },
    {
      file: 'packages/mobilenet/src/timm.test.ts',
      reference:
        'timm fixtures made with real timm (`mobilenetv1_100`, `mobilenetv2_100`, `mobilenetv3_large_100`)',
      variants: ['mobilenetv1_100', 'mobilenetv2_100', 'mobilenetv3_large_100'],
      inputSize: 224,
      bound: LOGITS,
      also: "every tensor consumed once; timm's parameter count",
    },
    {
      file: 'packages/mobilenet/src/timm.test.ts',
      reference:
        'timm fixtures made with real timm @ aa4b5850 and torch 1.13 (`make_timm_fixture.py`), one per timm MobileNetV3 id',
      variants: [
        'mobilenetv3_large_075',
        'mobilenetv3_large_150d',
        'mobilenetv3_small_050',
        'mobilenetv3_small_075',
        'mobilenetv3_small_100',
        'mobilenetv3_rw',
        'tf_mobilenetv3_large_075',
        'tf_mobilenetv3_large_100',
        'tf_mobilenetv3_large_minimal_100',
        'tf_mobilenetv3_small_075',
        'tf_mobilenetv3_small_100',
        'tf_mobilenetv3_small_minimal_100',
      ],
      inputSize: 224,
      bound: LOGITS,
      also: "timm's parameter count; a strict load with no mapping named (`mobilenet/timm` detected from the tensor names); `mobilenetv3_large_150d` at 256×256",
    },
  ],
  resnet: [
    {
      file: 'packages/resnet/src/parity.test.ts',
      reference: 'torchvision 0.14 ResNet, random weights and batch-norm statistics, `.pth` and safetensors',
      variants: ['resnet18', 'resnet50', 'resnext50_32x4d'],
      inputSize: 64,
      bound: LOGITS,
      also: `resnet18: ${ROUND_TRIP}; feature strides equal \`create_feature_extractor\`'s`,
    },
  ],
  senet: [
    {
      file: 'packages/senet/src/timm-parity.test.ts',
      reference: "timm fixtures made with real timm (eval-mode logits for the fixture's fill rule)",
      variants: ['seresnet18', 'seresnet50', 'legacy_seresnet18', 'legacy_seresnet50'],
      inputSize: 224,
      bound: LOGITS,
      also: "timm's state dict loads strictly",
    },
  ],
  shufflenet: [
    {
      file: 'packages/shufflenet/src/parity.test.ts',
      reference:
        'torchvision 0.14 `shufflenet_v2_x1_0` and megvii’s ShuffleNet v1 layout in PyTorch, random weights',
      variants: [
        'shufflenet_v2_x1_0',
        'shufflenet_v1_g3_x1_0',
        'shufflenet_v1_g8_x0_5',
        'shufflenet_v1_g1_x1_0',
      ],
      inputSize: 64,
      bound: LOGITS,
      also: `v2: ${ROUND_TRIP}; every size's parameter count equals torchvision's / PyTorch's`,
    },
  ],
  vgg: [
    {
      file: 'packages/vgg/src/parity.test.ts',
      reference: 'torchvision 0.14 `vgg11` and `vgg11_bn`, random weights',
      variants: ['vgg11', 'vgg11_bn'],
      inputSize: 64,
      bound: LOGITS,
    },
    {
      file: 'packages/vgg/src/timm.test.ts',
      reference: 'timm fixture made with real timm (`vgg16.tv_in1k` layout, classifier stored as conv)',
      variants: ['vgg16'],
      inputSize: 224,
      bound: 'max |ours − reference| ≤ 1e-5 × max |reference logit| (float32)',
      also: 'every tensor consumed once',
    },
  ],
  xception: [
    {
      file: 'packages/xception/src/parity.test.ts',
      reference: 'timm `legacy_xception` fixture made with real timm',
      variants: ['legacy_xception'],
      inputSize: 299,
      bound: LOGITS,
      also: "every tensor consumed once; timm's parameter count; saving gives timm's names",
    },
  ],
});
