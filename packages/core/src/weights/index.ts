/**
 * Weight I/O: readers for safetensors, PyTorch checkpoints and TF.js artifacts; writers for
 * safetensors and TF.js artifacts; the verified download cache; and the name mapping that loads
 * reference weights into tfzoo models and saves them back (DESIGN §3).
 */
export * from './cache.js';
export * from './detect.js';
export * from './layouts.js';
export * from './load.js';
export * from './mapping.js';
export * from './raw.js';
export * from './read.js';
export * from './safetensors.js';
export * from './tfjs.js';
export * from './torch.js';
