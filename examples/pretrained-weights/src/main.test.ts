import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { run } from './main.js';

describe('pretrained-weights example', () => {
  it('downloads through the mirror, verifies, serves offline from the cache, and refuses what it cannot verify', async () => {
    const before = tf.memory().numTensors;
    const result = await run();
    expect(tf.memory().numTensors).toBe(before);
    // The primary answered 404, so the mirror served the file.
    expect(result.requests.slice(0, 2)).toEqual([
      '/primary/lenet5.safetensors',
      '/mirror/lenet5.safetensors',
    ]);
    // Stored under its content hash (blobs/sha256/<hash>), the same file offline.
    expect(result.cachedPath).toContain(result.sha256);
    expect(result.offlinePath).toBe(result.cachedPath);
    expect(result.listedUrls.some((url) => url.endsWith('/mirror/lenet5.safetensors'))).toBe(true);
    expect(result.offlineMissError).toBe('OFFLINE');
    expect(result.wrongHashError).toBe('CHECKSUM_MISMATCH');
    expect(result.maxDifference).toBe(0);
  });
});
