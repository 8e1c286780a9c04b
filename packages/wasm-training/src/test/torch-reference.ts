/** Runs PyTorch (Debian's `/usr/bin/python3` with torch) on convolution cases for reference gradients. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One NHWC convolution whose gradients PyTorch computes (see `torch_conv_grads.py`). */
export interface TorchConvCase {
  /** Dense convolution or depthwise convolution. */
  kind: 'conv' | 'depthwise';
  /** Input values, NHWC. */
  x: number[];
  /** Input shape `[N, H, W, C]`. */
  xShape: number[];
  /** Filter values in the TF layout. */
  w: number[];
  /** Filter shape in the TF layout. */
  wShape: number[];
  /** Output gradient values, NHWC. */
  dy: number[];
  /** Output gradient shape. */
  dyShape: number[];
  /** `[strideH, strideW]`. */
  stride: [number, number];
  /** `[dilationH, dilationW]`. */
  dilation: [number, number];
  /** `[top, bottom, left, right]` zero padding. */
  pads: [number, number, number, number];
}

/** PyTorch's input and filter gradients of one case, flat in TF layouts. */
export interface TorchConvGrads {
  /** Input gradient, NHWC. */
  dx: number[];
  /** Filter gradient, TF layout. */
  dw: number[];
}

const script = fileURLToPath(new URL('./torch_conv_grads.py', import.meta.url));

/** Computes every case in one Python process (torch starts in ~2 s). Throws when torch is missing. */
export function torchConvGrads(cases: TorchConvCase[]): TorchConvGrads[] {
  const dir = mkdtempSync(join(tmpdir(), 'tfzoo-wasm-training-'));
  try {
    const input = join(dir, 'cases.json');
    const output = join(dir, 'grads.json');
    writeFileSync(input, JSON.stringify(cases));
    execFileSync('/usr/bin/python3', [script, input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
    return JSON.parse(readFileSync(output, 'utf8')) as TorchConvGrads[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
