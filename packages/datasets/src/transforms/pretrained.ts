/**
 * The input pipeline of a set of pretrained weights, built from its `Preprocessing` metadata (see
 * `@tfzoo/core`'s registry), so inference and fine-tuning prepare images the same way the weights
 * were trained: timm's `transforms_factory.py` (eval: resize shorter side, center crop; train: random
 * resized crop, flip, optional color jitter and random erasing) and torchvision's `ImageClassification`
 * preset.
 */
import { invalidArgument, type Preprocessing } from '@tfzoo/core';
import {
  type ColorJitterOptions,
  centerCrop,
  colorJitter,
  compose,
  normalize,
  type RandomErasingOptions,
  randomErasing,
  randomHorizontalFlip,
  randomResizedCrop,
  resize,
  swapRgbBgr,
  type Transform,
  toFloat,
} from './transforms.js';

function checkPreprocessing(preprocessing: Preprocessing): void {
  if (typeof preprocessing !== 'object' || preprocessing === null) {
    throw invalidArgument('preprocessing', preprocessing, 'a Preprocessing object from a PretrainedConfig');
  }
  const { inputSize, inputRange, mean, std } = preprocessing;
  if (!Array.isArray(inputSize) || inputSize.length !== 3) {
    throw invalidArgument('preprocessing.inputSize', inputSize, '[height, width, channels]');
  }
  if (!Array.isArray(inputRange) || inputRange.length !== 2 || !(inputRange[1] > inputRange[0])) {
    throw invalidArgument('preprocessing.inputRange', inputRange, '[low, high] with low < high');
  }
  if (mean.length !== inputSize[2] || std.length !== inputSize[2]) {
    throw invalidArgument('preprocessing mean/std', { mean, std }, `${inputSize[2]} values each`);
  }
}

/** Maps uint8 0–255 (or float 0–1) onto `inputRange` and normalizes; handles the channel order. */
function finish(preprocessing: Preprocessing): Transform[] {
  const [low, high] = preprocessing.inputRange;
  const scaleToRange: Transform = (image, rng) => {
    const scaled = toFloat(image.data instanceof Uint8Array ? (high - low) / 255 : high - low)(image, rng);
    if (low !== 0) for (let i = 0; i < scaled.data.length; i++) scaled.data[i]! += low;
    return scaled;
  };
  const steps: Transform[] = [scaleToRange];
  if (preprocessing.channelOrder === 'BGR') steps.push(swapRgbBgr());
  steps.push(normalize(preprocessing.mean, preprocessing.std));
  return steps;
}

/**
 * The evaluation pipeline of pretrained weights: resize the shorter side to `resizeSize`, center crop
 * `inputSize`, scale to `inputRange`, reorder channels when the weights expect BGR, and normalize with
 * `mean` / `std` (given in the weights' channel order). Input: uint8 RGB (as decoded) or float 0–1.
 */
export function preprocessForPretrained(preprocessing: Preprocessing): Transform {
  checkPreprocessing(preprocessing);
  const [height, width] = preprocessing.inputSize;
  return compose(
    resize(preprocessing.resizeSize, { interpolation: preprocessing.interpolation }),
    centerCrop([height, width]),
    ...finish(preprocessing),
  );
}

/** Options of {@link trainTransformForPretrained}. */
export interface PretrainedTrainOptions {
  /** Random resized crop area range (default `[0.08, 1]`). */
  scale?: readonly [number, number];
  /** Random resized crop aspect ratio range (default `[3/4, 4/3]`). */
  ratio?: readonly [number, number];
  /** Horizontal flip probability (default 0.5; 0 turns it off). */
  hflip?: number;
  /** Color jitter, applied before normalization (default none). */
  colorJitter?: ColorJitterOptions;
  /** Random erasing after normalization (default none). */
  randomErasing?: RandomErasingOptions;
}

/**
 * The training counterpart of {@link preprocessForPretrained}: random resized crop to `inputSize`
 * with the weights' interpolation, horizontal flip, optional color jitter, the same scaling and
 * normalization, optional random erasing.
 */
export function trainTransformForPretrained(
  preprocessing: Preprocessing,
  options: PretrainedTrainOptions = {},
): Transform {
  checkPreprocessing(preprocessing);
  const [height, width] = preprocessing.inputSize;
  const steps: Transform[] = [
    randomResizedCrop([height, width], {
      ...(options.scale ? { scale: options.scale } : {}),
      ...(options.ratio ? { ratio: options.ratio } : {}),
      interpolation: preprocessing.interpolation,
    }),
  ];
  const hflip = options.hflip ?? 0.5;
  if (hflip > 0) steps.push(randomHorizontalFlip(hflip));
  if (options.colorJitter) steps.push(colorJitter(options.colorJitter));
  steps.push(...finish(preprocessing));
  if (options.randomErasing) steps.push(randomErasing(options.randomErasing));
  return compose(...steps);
}
