import { fileURLToPath } from 'node:url';
import { describeShippedWeights } from '@tfzoo/test-harness';
import { LENET5_FMNIST, LENET5_FMNIST_URL, type LeNetOptions, lenet5 } from './index.js';

describeShippedWeights({
  config: LENET5_FMNIST,
  path: fileURLToPath(LENET5_FMNIST_URL),
  defaultId: 'lenet5.fmnist', // tfzoo's own weights are LeNet-5's only tag
  build: () => lenet5(LENET5_FMNIST.buildOptions as LeNetOptions),
});
