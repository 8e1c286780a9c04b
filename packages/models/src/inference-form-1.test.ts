import { describeInferenceGroup } from './test/inference-parity.js';

describeInferenceGroup('resnet, resnext, wide resnet, senet');
