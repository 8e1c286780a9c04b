/**
 * `@tfzoo/datasets` in browsers (the package's `default` export condition; Node gets `index.ts`):
 * the in-memory data sets, seeded transforms, the pretrained-weights preprocessing and the loader.
 * What reads files, downloads into the file cache or decompresses with zlib (MNIST, CIFAR, image
 * folders, Imagenette, the IDX and tar readers) needs Node and is not part of this entry.
 *
 * @packageDocumentation
 */
export * from './batch.js';
export * from './dataset.js';
export * from './image.js';
export * from './loader.js';
export * from './mix.js';
export * from './random.js';
export * from './resources.js';
export * from './sampler.js';
export * from './transforms/color.js';
export * from './transforms/geometry.js';
export * from './transforms/pretrained.js';
export * from './transforms/resize.js';
export * from './transforms/transforms.js';
