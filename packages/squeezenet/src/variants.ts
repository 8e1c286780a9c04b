/** The SqueezeNet variants as data: torchvision's 1.0 and 1.1. */
import { SQUEEZENET1_0, SQUEEZENET1_1, type SqueezeNetConfig } from './squeezenet.js';

/** Every SqueezeNet variant by architecture id. */
export const SQUEEZENET_VARIANTS: Readonly<Record<'squeezenet1_0' | 'squeezenet1_1', SqueezeNetConfig>> =
  Object.freeze({ squeezenet1_0: SQUEEZENET1_0, squeezenet1_1: SQUEEZENET1_1 });
