import { describeInferenceGroup } from './test/inference-parity.js';

describeInferenceGroup('rest');
