import { describe, expect, it } from 'vitest';
import { shippedWeights, TFZOO_RELEASE_URL } from './index.js';

describe('shippedWeights', () => {
  const sha = 'ab'.repeat(32);

  it('keeps the package file as the source and mirrors the same file name on the release', () => {
    const file = new URL('file:///pkg/weights/model-v1.safetensors');
    expect(shippedWeights(file, sha)).toEqual({
      url: 'file:///pkg/weights/model-v1.safetensors',
      mirrors: [TFZOO_RELEASE_URL.replace('{file}', 'model-v1.safetensors')],
      format: 'safetensors',
      sha256: sha,
    });
  });

  it('refuses a URL that names a folder, not a file', () => {
    expect(() => shippedWeights(new URL('file:///pkg/weights/'), sha)).toThrow(
      /expected the URL of a weight file, received file:\/\/\/pkg\/weights\//,
    );
  });
});
