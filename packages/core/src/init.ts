/**
 * Initializers that reproduce the reference implementations' defaults with tfjs-layers' built-in,
 * serializable initializers, so a model trained from scratch starts like its PyTorch reference.
 *
 * tfjs's `varianceScaling` with `distribution: 'normal'` draws from a normal truncated at two
 * standard deviations without rescaling; its actual standard deviation is 0.8796 of the requested
 * one, so the scales below are divided by 0.8796² to give PyTorch's variance.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { invalidArgument } from './errors.js';

/** Standard deviation of a unit normal truncated to [−2, 2]. */
const TRUNCATED_NORMAL_STD = 0.8796256610342398;

type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/**
 * He/Kaiming normal with fan-out, for ReLU (`nn.init.kaiming_normal_(w, mode='fan_out',
 * nonlinearity='relu')`): variance `2 / fan_out`. torchvision's ResNet, VGG, MobileNet, ShuffleNet.
 */
export function kaimingNormalFanOut(seed?: number): Initializer {
  return tfl.initializers.varianceScaling({
    scale: 2 / TRUNCATED_NORMAL_STD ** 2,
    mode: 'fanOut',
    distribution: 'normal',
    ...(seed === undefined ? {} : { seed }),
  });
}

/**
 * PyTorch's default `nn.Linear` / `nn.Conv2d` weight init (`kaiming_uniform_(a=√5)`):
 * `U(−1/√fan_in, 1/√fan_in)`.
 */
export function torchDefaultKernel(seed?: number): Initializer {
  return tfl.initializers.varianceScaling({
    scale: 1 / 3,
    mode: 'fanIn',
    distribution: 'uniform',
    ...(seed === undefined ? {} : { seed }),
  });
}

/** PyTorch's default bias init for a layer with `fanIn` inputs: `U(−1/√fan_in, 1/√fan_in)`. */
export function torchDefaultBias(fanIn: number, seed?: number): Initializer {
  if (!(Number.isInteger(fanIn) && fanIn > 0)) throw invalidArgument('fanIn', fanIn, 'a positive integer');
  const limit = 1 / Math.sqrt(fanIn);
  return tfl.initializers.randomUniform({
    minval: -limit,
    maxval: limit,
    ...(seed === undefined ? {} : { seed }),
  });
}

/** `nn.init.normal_(w, 0, std)` (torchvision's classifier init for VGG, MobileNet: std 0.01). */
export function normalInit(std: number, seed?: number): Initializer {
  if (!(std > 0)) throw invalidArgument('std', std, 'a positive number');
  return tfl.initializers.randomNormal({ mean: 0, stddev: std, ...(seed === undefined ? {} : { seed }) });
}

/**
 * `nn.init.trunc_normal_(w, std=std, a=-2, b=2)` as torchvision's GoogLeNet uses (std 0.01): a
 * normal truncated at ±2 (absolute bounds, which are far beyond 2σ for small σ, so effectively an
 * untruncated normal of standard deviation `std`).
 */
export function truncatedNormalInit(std: number, seed?: number): Initializer {
  if (!(std > 0)) throw invalidArgument('std', std, 'a positive number');
  return tfl.initializers.randomNormal({ mean: 0, stddev: std, ...(seed === undefined ? {} : { seed }) });
}
