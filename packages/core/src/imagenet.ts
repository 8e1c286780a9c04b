/**
 * ImageNet-1k (ILSVRC-2012) class names and the normalization every torchvision and most timm
 * weights expect. The names are torchvision's (`torchvision.models._meta._IMAGENET_CATEGORIES`),
 * index-aligned with the logits of every ImageNet classifier in the zoo.
 */
import classNames from './imagenet-classes.json' with { type: 'json' };
import type { Preprocessing } from './registry.js';

/**
 * The 1000 ImageNet-1k class names in logit order (torchvision's spelling), from the data file
 * `imagenet-classes.json` beside this module.
 */
export const IMAGENET_CLASSES: readonly string[] = Object.freeze(classNames as string[]);

/** Per-channel RGB mean of ImageNet in [0, 1] (torchvision, timm `IMAGENET_DEFAULT_MEAN`). */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];

/** Per-channel RGB standard deviation of ImageNet in [0, 1] (timm `IMAGENET_DEFAULT_STD`). */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** Options of {@link imagenetPreprocessing}. */
export interface ImagenetPreprocessingOptions {
  /** Square network input size (default 224). */
  inputSize?: number;
  /** Size of the shorter side before the center crop (default `round(inputSize / 0.875)`, 256 for 224). */
  resizeSize?: number;
  /** Resize interpolation (default bilinear, torchvision's). */
  interpolation?: Preprocessing['interpolation'];
  /** Mean (default {@link IMAGENET_MEAN}). */
  mean?: readonly number[];
  /** Standard deviation (default {@link IMAGENET_STD}). */
  std?: readonly number[];
}

/**
 * The standard ImageNet evaluation preprocessing: resize the shorter side, center crop, scale to
 * [0, 1], normalize with the ImageNet mean and std, RGB.
 */
export function imagenetPreprocessing(options: ImagenetPreprocessingOptions = {}): Preprocessing {
  const inputSize = options.inputSize ?? 224;
  const resizeSize = options.resizeSize ?? Math.round(inputSize / 0.875);
  return {
    inputSize: [inputSize, inputSize, 3],
    resizeSize,
    cropFraction: inputSize / resizeSize,
    interpolation: options.interpolation ?? 'bilinear',
    mean: options.mean ?? IMAGENET_MEAN,
    std: options.std ?? IMAGENET_STD,
    channelOrder: 'RGB',
    inputRange: [0, 1],
  };
}
