/** The LeNet variants as data: LeNet-5 with the paper's configuration. */
import type { LeNetConfig } from './lenet.js';

/** Every LeNet variant by architecture id (`activation` and `subsampling` are also build options). */
export const LENET_VARIANTS: Readonly<Record<'lenet5', LeNetConfig>> = Object.freeze({
  lenet5: { activation: 'tanh', subsampling: 'avg' },
});
