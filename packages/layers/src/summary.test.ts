/** `summarize()` from @tfzoo/core counts this package's layers: hand-computed params and MACs. */
import * as tfl from '@tensorflow/tfjs-layers';
import { summarize } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import * as layers from './index.js';

describe('summarize() with @tfzoo/layers', () => {
  it('counts grouped, depthwise and squeeze-excite parameters and MACs', () => {
    const input = tfl.input({ shape: [8, 8, 4] });
    const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor) => layer.apply(x) as tfl.SymbolicTensor;
    let x = apply(
      layers.groupConv2d({ filters: 8, kernelSize: 3, padding: 1, groups: 2, name: 'grouped' }),
      input,
    );
    x = apply(layers.squeezeExcite({ reducedChannels: 2, name: 'se' }), x);
    x = apply(
      layers.groupConv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 1, groups: 8, name: 'dw' }),
      x,
    );
    x = apply(layers.localResponseNormalization({ size: 3 }), x);
    x = apply(layers.hardSwish(), x);
    x = apply(layers.paddedMaxPooling2d({ poolSize: 2 }), x);
    x = apply(layers.adaptiveAveragePooling2d({ outputSize: 1 }), x);
    const model = tfl.model({ inputs: input, outputs: x });
    const summary = summarize(model);
    const row = (name: string) => summary.layers.find((r) => r.name === name);

    // grouped: kernel 3·3·(4/2)·8 = 144 + bias 8; MACs 8·8 positions · 8 filters · 3·3·2 = 9216.
    expect(row('grouped')).toMatchObject({
      className: 'tfzoo>GroupConv2D',
      params: 152,
      macs: 9216,
      outputShape: [8, 8, 8],
    });
    // se: fc1 8·2 + 2, fc2 2·8 + 8 = 42; MACs 8·2 + 2·8 = 32.
    expect(row('se')).toMatchObject({ params: 42, macs: 32 });
    // dw: kernel 3·3·1·16 = 144 + bias 16; output 4·4; MACs 16 · 16 · 9 = 2304.
    expect(row('dw')).toMatchObject({ params: 160, macs: 2304, outputShape: [4, 4, 16] });
    expect(summary.trainableParams).toBe(152 + 42 + 160);
    expect(summary.macs).toBe(9216 + 32 + 2304);
    model.dispose();
  });
});
