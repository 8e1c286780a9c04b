#!/usr/bin/env node
/**
 * Pretrained weights and the cache (docs/guides/pretrained-weights.md), end to end without the
 * internet: a local HTTP server plays the weight host (its first URL answers 404, so the mirror
 * serves the file), `fetchCached` downloads and verifies the sha256 into `$TFZOO_HOME`, a second
 * call with `offline: true` (what `TFZOO_OFFLINE=1` sets) is served from the cache, a wrong hash is
 * refused, and `loadWeights` fills a fresh LeNet-5 (LeCun et al., 1998) from the cached file.
 *
 * Usage: `node examples/pretrained-weights/dist/main.js`
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { cacheList, fetchCached, initBackend, loadWeights, saveWeights, ZooError } from '@tfzoo/core';
import { lenet5 } from '@tfzoo/lenet';

/** What {@link run} returns. */
export interface PretrainedWeightsResult {
  /** sha256 of the published file, computed with node:crypto. */
  sha256: string;
  /** Where the cache put the verified file. */
  cachedPath: string;
  /** The path the offline call returned. */
  offlinePath: string;
  /** URLs the server was asked for, in order. */
  requests: string[];
  /** Error code of the fetch with a wrong sha256. */
  wrongHashError: string;
  /** Error code of an offline fetch of a file that is not cached. */
  offlineMissError: string;
  /** URLs `cacheList()` records for the cached file. */
  listedUrls: string[];
  /** Largest difference between the publisher's model and the one loaded from the cache. */
  maxDifference: number;
}

/** Publishes LeNet-5 weights on a local server and walks through download, verification and offline use. */
export async function run(): Promise<PretrainedWeightsResult> {
  const work = mkdtempSync(join(tmpdir(), 'tfzoo-weights-'));
  const cache = join(work, 'cache'); // what TFZOO_HOME points at; default ~/.cache/tfzoo
  const publisher = lenet5();
  const reader = lenet5();
  const requests: string[] = [];
  // The "host": /primary/ is down (404), /mirror/ serves the file.
  const file = await saveWeights(publisher, join(work, 'lenet5.safetensors'), { names: 'reference' });
  const bytes = readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/mirror/lenet5.safetensors') {
      response.writeHead(200, { 'content-length': bytes.length });
      response.end(bytes);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const urls = [`${base}/primary/lenet5.safetensors`, `${base}/mirror/lenet5.safetensors`];
  const codeOf = async (promise: Promise<unknown>) =>
    promise.then(
      () => 'none',
      (error: unknown) => (error instanceof ZooError ? error.code : String(error)),
    );
  try {
    const cachedPath = await fetchCached(urls, { sha256, cacheDir: cache, retries: 0 });
    // A file whose bytes do not hash to the pinned sha256 is refused and never enters the cache.
    const wrongHashError = await codeOf(
      fetchCached([urls[1] as string], { sha256: '0'.repeat(64), cacheDir: cache, retries: 0 }),
    );
    server.close();
    // The host is gone: offline use is served from the cache (TFZOO_OFFLINE=1 does the same).
    const offlinePath = await fetchCached(urls, { sha256, cacheDir: cache, offline: true });
    const offlineMissError = await codeOf(
      fetchCached([`${base}/mirror/missing.safetensors`], { cacheDir: cache, offline: true }),
    );
    const listed = (await cacheList(cache)).find((entry) => entry.sha256 === sha256);
    await loadWeights(reader, offlinePath, { mapping: 'default' });
    const maxDifference = tf.tidy(() => {
      const input = tf.randomNormal([4, 32, 32, 1], 0, 1, 'float32', 1);
      const a = publisher.predict(input) as tf.Tensor;
      const b = reader.predict(input) as tf.Tensor;
      return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number;
    });
    return {
      sha256,
      cachedPath,
      offlinePath,
      requests,
      wrongHashError,
      offlineMissError,
      listedUrls: listed?.urls ?? [],
      maxDifference,
    };
  } finally {
    server.close();
    publisher.dispose();
    reader.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await initBackend(['wasm', 'cpu']);
  const result = await run();
  console.log(`requests: ${result.requests.join(', ')}`);
  console.log(`verified sha256 ${result.sha256}, cached at ${result.cachedPath}`);
  console.log(
    `offline: served from the cache (${result.offlinePath === result.cachedPath ? 'same file' : 'different file!'})`,
  );
  console.log(`wrong hash → ${result.wrongHashError}; offline and not cached → ${result.offlineMissError}`);
  console.log(`loaded from the cache: max |Δ| ${result.maxDifference}`);
}
