/**
 * The deterministic fill rule of the timm parity fixtures (`fixtures/README` of the shared fixture
 * set, reproduced here): FNV-1a of the tensor name seeds a multiplicative hash per element, mapped
 * to a range that depends on the tensor's role; every value is rounded once to float32.
 */

/** 32-bit FNV-1a of the UTF-8 bytes of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The values the rule gives tensor `name` of `shape` (PyTorch layout, C order). */
export function fillTensor(name: string, shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const h = fnv1a(name);
  const out = new Float32Array(n);
  let scale: (u: number) => number;
  if (name === 'input' || name === 'calibration') scale = (u) => (u - 0.5) * 4;
  else if (name.endsWith('running_var')) scale = (u) => 0.5 + u;
  else if (name.endsWith('running_mean')) scale = (u) => (u - 0.5) * 0.2;
  else if (shape.length === 1 && name.endsWith('weight')) scale = (u) => 0.8 + 0.4 * u;
  else if (shape.length <= 1) scale = (u) => (u - 0.5) * 0.2;
  else {
    const bound = Math.sqrt(6 / (n / (shape[0] as number)));
    scale = (u) => (u - 0.5) * 2 * bound;
  }
  for (let i = 0; i < n; i++) {
    const x = (Math.imul(i, 2654435761) + h) >>> 0;
    out[i] = scale(x / 4294967296);
  }
  return out;
}
