import { fileURLToPath } from 'node:url';
import { describeShippedWeights } from '@tfzoo/test-harness';
import { RESNET18_FMNIST, RESNET18_FMNIST_URL, type ResNetOptions, resnet18 } from './index.js';

describeShippedWeights({
  config: RESNET18_FMNIST,
  path: fileURLToPath(RESNET18_FMNIST_URL),
  defaultId: 'resnet18.tv_in1k', // registered beside the ImageNet weights, which stay the default
  build: () =>
    resnet18({
      ...(RESNET18_FMNIST.buildOptions as ResNetOptions),
      numClasses: RESNET18_FMNIST.numClasses,
      skipInit: true,
    }),
});
