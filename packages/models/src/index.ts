/**
 * `@tfzoo/models`: imports and registers every tfzoo family, and `createModel(id, options)` — build
 * any architecture by id, with its pretrained weights when asked.
 *
 * Each family also works imported alone (`@tfzoo/resnet`, …); this package is the convenience.
 *
 * @packageDocumentation
 */
import '@tfzoo/lenet';
import '@tfzoo/alexnet';
import '@tfzoo/vgg';
import '@tfzoo/googlenet';
import '@tfzoo/resnet';
import '@tfzoo/senet';
import '@tfzoo/squeezenet';
import '@tfzoo/mobilenet';
import '@tfzoo/shufflenet';
import '@tfzoo/xception';

export {
  getModelDefinition,
  getPretrainedConfig,
  listModels,
  listPretrained,
  type ModelDefinition,
  type PretrainedConfig,
  resolveModelId,
} from '@tfzoo/core';
export { type CreateModelOptions, createModel } from './create-model.js';
