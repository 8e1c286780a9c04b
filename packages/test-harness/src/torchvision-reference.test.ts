/** The PyTorch reference session: a spec it cannot follow fails the test with PyTorch's own words. */
import { describe, expect, it } from 'vitest';
import { ReferenceSession } from './torchvision-reference.js';

describe('ReferenceSession', () => {
  it('rejects a spec it cannot follow, naming what it received', async () => {
    const start = ReferenceSession.start({
      input: { shape: [1, 32, 32, 3], seed: 0 },
      models: [{ id: 'x', arch: 'squeezenet1_1', randomize: 'everything' as never }],
    });
    await expect(start).rejects.toThrow("unknown randomize 'everything'");
  });
});
