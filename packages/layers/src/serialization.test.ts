/** getConfig → fromConfig, model save/load through `tf.io`, and tensor leaks, for every layer. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { withSeed } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import * as layers from './index.js';
import { everyLayerModel } from './test/model.js';
import { randomNormal } from './test/torch.js';

type LayerClass = (new (
  args: never,
) => tfl.layers.Layer) & {
  className: string;
  fromConfig: (cls: never, config: tf.serialization.ConfigDict) => tfl.layers.Layer;
};

// Non-default arguments for each layer, so a dropped argument shows up in the round trip.
const instances: [LayerClass, Record<string, unknown>][] = [
  [
    layers.GroupConv2D,
    {
      filters: 6,
      kernelSize: [3, 1],
      strides: [2, 1],
      padding: [1, 2, 0, 1],
      dilationRate: [1, 2],
      groups: 3,
      useBias: false,
      kernelInitializer: 'heNormal',
      biasInitializer: { className: 'Constant', config: { value: 0.5 } },
    },
  ],
  [layers.GroupConv2D, { filters: 4, kernelSize: 3, padding: 'same', groups: 2 }],
  [layers.ChannelShuffle, { groups: 3 }],
  [layers.LocalResponseNormalization, { size: 4, alpha: 0.2, beta: 0.5, k: 2 }],
  [
    layers.SqueezeExcite,
    { ratio: 0.5, divisor: 4, roundLimit: 0, activation: 'silu', gate: 'hardSigmoid', useBias: false },
  ],
  [layers.SqueezeExcite, { reducedChannels: 8 }], // wide enough that its ReLU units are not all dead at a random init
  [layers.Maxout, { numPieces: 3 }],
  [layers.DropPath, { rate: 0.3, scaleByKeep: false }],
  [layers.ReLU6, {}],
  [layers.HardSigmoid, {}],
  [layers.HardSwish, {}],
  [layers.SiLU, {}],
  [layers.Mish, {}],
  [layers.GELU, { approximate: 'tanh' }],
  [layers.PaddedMaxPooling2D, { poolSize: [3, 2], strides: 1, padding: [1, 0], ceilMode: true }],
  [
    layers.PaddedAveragePooling2D,
    { poolSize: 3, strides: 2, padding: 1, ceilMode: true, countIncludePad: false },
  ],
  [layers.AdaptiveAveragePooling2D, { outputSize: [3, 2] }],
  [layers.AdaptiveMaxPooling2D, { outputSize: 4 }],
];

function withoutNulls(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (v === null ? undefined : v)));
}

describe('serialization', () => {
  for (const [cls, args] of instances) {
    it(`${cls.className} getConfig → fromConfig keeps every argument`, () => {
      const layer = new cls(args as never);
      const config = layer.getConfig();
      for (const [key, value] of Object.entries(args)) {
        const expected =
          typeof value === 'number' && key !== 'ratio' && /Size|strides|dilation|outputSize/.test(key)
            ? [value, value]
            : value;
        if (key === 'kernelInitializer') {
          const he = tfl.initializers.heNormal({});
          expect(config[key]).toEqual({ className: he.getClassName(), config: he.getConfig() });
        } else if (key === 'biasInitializer') {
          expect(config[key]).toEqual(value);
        } else {
          expect(config[key], key).toEqual(expected);
        }
      }
      const [registered, fromConfig] =
        tf.serialization.SerializationMap.getMap().classNameMap[cls.className] ?? [];
      expect(registered).toBe(cls);
      const copy = (fromConfig as unknown as LayerClass['fromConfig'])(
        cls as never,
        JSON.parse(JSON.stringify(config)),
      );
      expect(copy).toBeInstanceOf(cls);
      expect(copy.getConfig()).toEqual(config);
    });
  }

  it('class names are namespaced and default layer names are valid tensor names', () => {
    const names = instances.map(([cls]) => cls.className);
    for (const name of names) expect(name.startsWith('tfzoo>')).toBe(true);
    const layer = layers.groupConv2d({ filters: 2, kernelSize: 1 });
    expect(layer.name).toMatch(/^group_conv2d_\d+$/);
  });

  it('a model with every layer saves and loads through tf.io with the same outputs and configs', async () => {
    const before = tf.memory().numTensors;
    const model = everyLayerModel();
    const x = tf.tensor(randomNormal(2 * 12 * 11 * 8, 7), [2, 12, 11, 8]);
    const expected = model.predict(x) as tf.Tensor;
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    // Through JSON text, as a file would.
    const topology = JSON.parse(JSON.stringify(artifacts?.modelTopology));
    const loaded = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: topology,
        weightSpecs: artifacts?.weightSpecs,
        weightData: artifacts?.weightData,
      }),
    );
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    loaded.layers.forEach((layer, i) => {
      // An unset initializer seed is `undefined` before saving and `null` after; both mean "no seed".
      expect(withoutNulls(layer.getConfig()), layer.name).toEqual(withoutNulls(model.layers[i]?.getConfig()));
    });
    expect(loaded.weights.map((w) => w.originalName)).toEqual(model.weights.map((w) => w.originalName));
    const actual = loaded.predict(x) as tf.Tensor;
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, expected, actual]);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('training a model with every layer leaks no tensors and updates every weight', async () => {
    // Seeded init: whether a narrow ReLU bottleneck starts all dead is then the same on every run.
    const model = withSeed(7, everyLayerModel);
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const x = tf.tensor(randomNormal(2 * 12 * 11 * 8, 11), [2, 12, 11, 8]);
    const y = tf.zerosLike(model.predict(x) as tf.Tensor);
    const weightsBefore = model.getWeights().map((w) => w.clone());
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 }); // warms the optimizer slots
    const before = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    const weightsAfter = model.getWeights();
    weightsAfter.forEach((w, i) => {
      const changed = tf.tidy(
        () => tf.max(tf.abs(tf.sub(w, weightsBefore[i] as tf.Tensor))).dataSync()[0] as number,
      );
      expect(changed, model.weights[i]?.name).toBeGreaterThan(0);
    });
    tf.dispose([x, y, ...weightsBefore]);
    model.dispose();
  });
});
