// The browser twin of the platform module, where Node can check it: fflate's inflate against zlib,
// the path helpers, and clear refusals of what a browser cannot do. The Cache API side runs in
// Chromium (examples/web/test/browser-cache.test.ts).
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ZooError } from '../errors.js';
import {
  basename,
  dirname,
  fetchCached,
  inflateRawSync,
  join,
  readFile,
  readSource,
} from './platform-browser.js';

describe('platform-browser', () => {
  it('inflates what zlib deflates, byte for byte', () => {
    const text = new TextEncoder().encode('conv1.weight '.repeat(5000));
    for (const data of [text, new Uint8Array(randomBytes(100_000)), new Uint8Array(0)]) {
      for (const level of [0, 1, 9]) {
        const inflated = inflateRawSync(new Uint8Array(deflateRawSync(data, { level })));
        expect(Buffer.from(inflated).equals(data)).toBe(true);
      }
    }
  });

  it('splits and joins /-separated paths like node:path/posix', () => {
    expect(basename('archive/data/0')).toBe('0');
    expect(basename('model/')).toBe('model');
    expect(dirname('a/b/model.json')).toBe('a/b');
    expect(dirname('model.json')).toBe('.');
    expect(dirname('/model.json')).toBe('/');
    expect(join('a/', 'b', 'c.bin')).toBe('a/b/c.bin');
  });

  it('refuses file paths and the file system with UNSUPPORTED', async () => {
    await expect(readFile('weights.safetensors')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const error = await readSource('weights/resnet18.pth').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('UNSUPPORTED');
    expect((error as ZooError).message).toContain('weights/resnet18.pth');
  });

  it('validates like Node, then needs the Cache API', async () => {
    await expect(fetchCached('file:///weights.safetensors')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(fetchCached('https://example.com/w.safetensors', { sha256: 'abc' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(typeof (globalThis as { caches?: unknown }).caches).toBe('undefined');
    await expect(fetchCached('https://example.com/w.safetensors')).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
  });
});
