/** The GoogLeNet variants as data: the one published architecture, `googlenet`, in torchvision's layout. */
import { GOOGLENET_CONFIG, type GoogLeNetConfig } from './googlenet.js';

/** Every registered GoogLeNet variant by architecture id. */
export const GOOGLENET_VARIANTS: Readonly<Record<'googlenet', GoogLeNetConfig>> = Object.freeze({
  googlenet: GOOGLENET_CONFIG,
});
