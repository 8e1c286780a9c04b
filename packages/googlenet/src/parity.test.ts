/**
 * Parity with torchvision's `googlenet` (random weights from a fixed seed, batch-norm statistics
 * randomized, saved with `torch.save`, loaded with core's `loadWeights`, strict):
 *
 * - without auxiliary heads, with `transform_input` (how the pretrained weights are used);
 * - with auxiliary heads, comparing all three outputs (torch runs `aux1`/`aux2` in eval mode on
 *   `inception4a`/`inception4d`, since its eval forward returns only the logits);
 * - the checkpoint with auxiliary heads loaded into a model without them (the heads are dropped on
 *   purpose, as with torchvision's pretrained file).
 *
 * At 80×80 every ceil-mode pool has a partial last window (40→20, 20→10, 10→5, 5→3), and the
 * auxiliary heads' adaptive pool maps 5×5 to 4×4 with overlapping bins.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadWeights, summarize } from '@tfzoo/core';
import { maxError, runReference } from '@tfzoo/test-harness';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GOOGLENET_AUX_MAPPING,
  GOOGLENET_FAMILY,
  GOOGLENET_MAPPING,
  googlenet,
  googlenetDefinition,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tfzoo-googlenet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const results = runReference(
  [
    {
      id: 'plain',
      arch: 'googlenet',
      kwargs: { aux_logits: false, transform_input: true, init_weights: true },
      seed: 7,
      input: [2, 80, 80, 3],
    },
    {
      id: 'aux',
      arch: 'googlenet',
      kwargs: { aux_logits: true, transform_input: false, init_weights: true },
      seed: 8,
      input: [2, 80, 80, 3],
      heads: { aux1: 'inception4a', aux2: 'inception4d' },
    },
  ],
  dir,
);

function expectClose(actual: tf.Tensor, expected: tf.Tensor): void {
  const { error, scale } = maxError(actual, expected);
  expect(scale).toBeGreaterThan(0);
  expect(error).toBeLessThanOrEqual(1e-4 * scale);
}

describe('googlenet vs torchvision', () => {
  it('transformInput, no auxiliary heads: same logits (≤ 1e-4 of their scale)', async () => {
    const reference = results.get('plain')!;
    const model = googlenet({ inputShape: [80, 80, 3], transformInput: true, initWeights: false });
    expect(summarize(model).trainableParams).toBe(reference.params);
    expect(googlenetDefinition.defaultMapping).toBe(GOOGLENET_FAMILY.mappingIds.torchvision);
    await loadWeights(model, reference.checkpoint, { mapping: GOOGLENET_FAMILY.mappingIds.torchvision });
    const logits = model.predict(reference.input) as tf.Tensor;
    expectClose(logits, reference.logits);
    tf.dispose([logits, reference.input, reference.logits]);
    model.dispose();
  });

  it('auxiliary heads: the same three outputs, in torchvision’s order [logits, aux2, aux1]', async () => {
    const reference = results.get('aux')!;
    const model = googlenet({ inputShape: [80, 80, 3], auxLogits: true, initWeights: false });
    expect(summarize(model).trainableParams).toBe(reference.params);
    await loadWeights(model, reference.checkpoint, { mapping: GOOGLENET_AUX_MAPPING });
    // The pretrained config's mapping fills the auxiliary heads too (its aux tensors are optional).
    const strict = await loadWeights(model, reference.checkpoint, { mapping: GOOGLENET_MAPPING });
    expect(strict.loaded.filter((key) => /^aux[12]_/.test(key))).toHaveLength(2 * 9);
    const [logits, aux2, aux1] = model.predict(reference.input) as tf.Tensor[];
    expectClose(logits!, reference.logits);
    expectClose(aux2!, reference.heads.aux2!);
    expectClose(aux1!, reference.heads.aux1!);
    tf.dispose([logits!, aux2!, aux1!]);
    model.dispose();
  });

  it('a checkpoint with auxiliary heads loads into a model without them, dropping only aux1/aux2', async () => {
    const reference = results.get('aux')!;
    const before = tf.memory().numTensors;
    const model = googlenet({ inputShape: [80, 80, 3], initWeights: false });
    // The mechanical mapping has nowhere to put the aux tensors: the strict load fails naming them.
    await expect(loadWeights(model, reference.checkpoint, { mapping: 'default' })).rejects.toThrow(
      /unused source tensor: aux1\.conv\.conv\.weight/,
    );
    const report = await loadWeights(model, reference.checkpoint, { mapping: GOOGLENET_MAPPING });
    // Per head: conv.conv.weight, conv.bn.{weight,bias,running_mean,running_var,num_batches_tracked},
    // fc1 and fc2 weight and bias; plus every batch-norm's num_batches_tracked elsewhere.
    const auxIgnored = report.ignored.filter((name) => /^aux[12]\./.test(name));
    expect(auxIgnored).toHaveLength(2 * 10);
    expect(
      report.ignored.filter((name) => !/^aux[12]\./.test(name) && !name.endsWith('num_batches_tracked')),
    ).toEqual([]);
    const logits = model.predict(reference.input) as tf.Tensor;
    expectClose(logits, reference.logits);
    tf.dispose([logits, reference.input, reference.logits, ...Object.values(reference.heads)]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before - 4);
  });
});
