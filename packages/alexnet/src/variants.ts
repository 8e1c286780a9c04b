/** The AlexNet variants as data: the one registered architecture, `alexnet`, in torchvision's layout. */
import { ALEXNET_CONFIGS, type AlexNetConfig } from './alexnet.js';

/**
 * Every registered AlexNet variant by architecture id. The paper's 2012 configuration is a build
 * option of `alexnet` (`style: 'paper'`, {@link ALEXNET_CONFIGS}), not a separate id.
 */
export const ALEXNET_VARIANTS: Readonly<Record<'alexnet', AlexNetConfig>> = Object.freeze({
  alexnet: ALEXNET_CONFIGS.torchvision,
});
