/**
 * `@tfzoo/datasets`: MNIST, Fashion-MNIST, CIFAR-10/100, image folders and Imagenette; the IDX, CIFAR
 * and tar parsers; seeded torchvision-compatible transforms; the pretrained-weights preprocessing;
 * and a prefetching, class-balancing loader that feeds `model.fitDataset`.
 *
 * @packageDocumentation
 */
export * from './batch.js';
export * from './cifar.js';
export * from './dataset.js';
export * from './download.js';
export * from './idx.js';
export * from './image.js';
export * from './image-folder.js';
export * from './imagenette.js';
export * from './loader.js';
export * from './mix.js';
export * from './mnist.js';
export * from './random.js';
export * from './resources.js';
export * from './sampler.js';
export * from './tar.js';
export * from './transforms/color.js';
export * from './transforms/geometry.js';
export * from './transforms/pretrained.js';
export * from './transforms/resize.js';
export * from './transforms/transforms.js';
