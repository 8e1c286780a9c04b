import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadWeights } from '@tfzoo/core';
import { maxError, runReference } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import { googlenet } from './index.js';

describe("googlenet at torchvision's smallest input", () => {
  it('accepts 15 px, where ceil-mode pools keep a window larger than their input, and matches torchvision', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfzoo-googlenet-small-'));
    try {
      const ref = runReference(
        [
          {
            id: 'small',
            arch: 'googlenet',
            kwargs: { aux_logits: false, init_weights: true, num_classes: 10 },
            seed: 3,
            input: [1, 15, 15, 3],
          },
        ],
        dir,
      ).get('small')!;
      const model = googlenet({ inputShape: [15, 15, 3], numClasses: 10 });
      await loadWeights(model, ref.checkpoint, { mapping: 'torchvision-googlenet' });
      const logits = model.predict(ref.input) as tf.Tensor;
      const { error, scale } = maxError(logits, ref.logits);
      expect(error).toBeLessThanOrEqual(1e-4 * scale);
      tf.dispose([logits, ref.input, ref.logits]);
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
