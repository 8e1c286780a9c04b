// Child process of the reader bomb and fuzz tests: runs untrusted bytes through the transpiled
// readers, one file or one mutant at a time, and reports per input the outcome, the time taken and
// the bytes returned; at the end the process's peak RSS. A hang shows as the parent's timeout.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [readModule, errorsModule, mode, dir, mutantsArg, seedArg] = process.argv.slice(2);
const { readRawWeights } = await import(pathToFileURL(readModule).href);
const { ZooError } = await import(pathToFileURL(errorsModule).href);

function resultBytes(map) {
  let n = 0;
  for (const tensor of map.values()) n += tensor.data.byteLength;
  return n;
}

async function run(bytes, fileName) {
  const start = performance.now();
  try {
    const map = await readRawWeights(bytes, { fileName });
    return { ok: true, ms: performance.now() - start, bytes: resultBytes(map) };
  } catch (error) {
    const zoo = error instanceof ZooError;
    return {
      ok: false,
      ms: performance.now() - start,
      code: zoo ? error.code : undefined,
      error: zoo ? error.message.slice(0, 200) : `${error?.name}: ${String(error?.message).slice(0, 200)}`,
    };
  }
}

// mulberry32, as @tfzoo/core's seededRandom.
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutant: byte flips, an interesting integer written over 1/2/4/8 bytes, a cut, or a splice. */
function mutate(source, random) {
  const pick = (n) => Math.floor(random() * n);
  let bytes = Uint8Array.from(source);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const kind = pick(5);
    const at = pick(bytes.length);
    if (kind === 0) bytes[at] = pick(256);
    else if (kind === 1) {
      const values = [0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 28, 65535];
      const v = values[pick(values.length)];
      const width = [1, 2, 4, 8][pick(4)];
      const view = new DataView(bytes.buffer);
      if (at + width <= bytes.length) {
        if (width === 1) view.setUint8(at, v & 0xff);
        else if (width === 2) view.setUint16(at, v & 0xffff, true);
        else if (width === 4) view.setUint32(at, v >>> 0, true);
        else view.setBigUint64(at, BigInt(v) * (random() < 0.5 ? 1n : 1n << 32n), true);
      }
    } else if (kind === 2) bytes = bytes.subarray(0, at);
    else if (kind === 3) {
      const length = pick(64);
      const from = pick(bytes.length);
      const out = new Uint8Array(bytes.length + length);
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(from, from + length), at);
      out.set(bytes.subarray(at), at + Math.min(length, bytes.length - from));
      bytes = out.subarray(0, bytes.length + Math.min(length, bytes.length - from));
    } else {
      const v = random() < 0.5 ? 0x30 + pick(10) : pick(256); // digits hit tar and text fields
      bytes[at] = v;
    }
  }
  return bytes;
}

const lines = [];
if (mode === 'files') {
  for (const name of readdirSync(dir).sort()) {
    const result = await run(readFileSync(join(dir, name)), name);
    lines.push({ name, ...result });
  }
} else {
  const random = generator(Number(seedArg));
  const mutants = Number(mutantsArg);
  for (const name of readdirSync(dir).sort()) {
    const source = readFileSync(join(dir, name));
    const summary = { name, mutants, zooErrors: 0, read: 0, slowest: 0, largestRatio: 0, failures: [] };
    for (let i = 0; i < mutants; i++) {
      const bytes = mutate(source, random);
      const result = await run(bytes, `${name}#${i}`);
      summary.slowest = Math.max(summary.slowest, result.ms);
      if (result.ok) {
        summary.read++;
        summary.largestRatio = Math.max(summary.largestRatio, result.bytes / Math.max(1, bytes.length));
      } else if (result.code) summary.zooErrors++;
      else if (summary.failures.length < 5) summary.failures.push({ mutant: i, error: result.error });
      if (!result.ok && !result.code && summary.failures.length >= 5) break;
    }
    lines.push(summary);
  }
}
process.stdout.write(`${JSON.stringify({ lines, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
