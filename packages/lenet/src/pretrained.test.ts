import { describeShippedWeights } from '@tfzoo/test-harness';
import { LENET5_FMNIST, LENET5_FMNIST_PATH, type LeNetOptions, lenet5 } from './index.js';

describeShippedWeights({
  config: LENET5_FMNIST,
  path: LENET5_FMNIST_PATH,
  defaultId: 'lenet5.fmnist', // tfzoo's own weights are LeNet-5's only tag
  build: () => lenet5(LENET5_FMNIST.buildOptions as LeNetOptions),
});
