/**
 * Streaming accumulators: results over uneven batches (tensors and arrays mixed) equal the one-shot
 * functions, which sklearn-parity.test.ts checks against scikit-learn; reset starts over; and the
 * tfjs-layers metric functions report, through model.evaluate, the one-shot metric of the predictions.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ZooError } from '@tfzoo/core';
import { seededRandom } from '@tfzoo/test-harness';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  accuracyMetric,
  averagePrecision,
  confusionMatrix,
  expectedCalibrationError,
  logLoss,
  logLossMetric,
  precisionRecallF1,
  rocAuc,
  StreamingAccuracy,
  StreamingAveragePrecision,
  StreamingCalibrationError,
  StreamingConfusionMatrix,
  StreamingLogLoss,
  type StreamingMetric,
  StreamingPrecisionRecallF1,
  StreamingRocAuc,
  StreamingTopKAccuracy,
  topKAccuracy,
  topKAccuracyMetric,
} from './index.js';

const random = seededRandom(99);
const N = 53;
const C = 4;
const yTrue = Array.from({ length: N }, () => Math.floor(random() * C));
const probabilities = yTrue.map((label) => {
  const row = Array.from(
    { length: C },
    (_, c) => Math.round((random() + (c === label ? 0.8 : 0)) * 10) / 10 + 0.01,
  );
  const total = row.reduce((a, b) => a + b, 0);
  return row.map((v) => v / total);
});
const yPred = probabilities.map((row) => row.indexOf(Math.max(...row)));
const binTrue = yTrue.map((l) => (l >= 2 ? 1 : 0));
const binScore = probabilities.map((row) => Math.round((row[2] + row[3]) * 20) / 20);

/** Feeds uneven batches, alternating tensors and plain arrays. */
function stream<R>(metric: StreamingMetric<R>, t: number[], p: number[] | number[][]): R {
  const cuts = [0, 7, 20, 21, 40, t.length];
  for (let b = 0; b + 1 < cuts.length; b++) {
    const tb = t.slice(cuts[b], cuts[b + 1]);
    const pb = p.slice(cuts[b], cuts[b + 1]) as number[] | number[][];
    if (b % 2 === 0) {
      const tt = tf.tensor1d(tb, 'int32');
      const pt = Array.isArray(pb[0])
        ? tf.tensor2d(pb as number[][], undefined, 'float32')
        : tf.tensor1d(pb as number[]);
      metric.update(tt, pt);
      tf.dispose([tt, pt]);
    } else {
      metric.update(tb, pb);
    }
  }
  return metric.result();
}

/** Float32 copies, so streamed tensors and one-shot arrays hold the same numbers. */
const f32 = (rows: number[][]) => rows.map((row) => row.map(Math.fround));
const f32v = (values: number[]) => values.map(Math.fround);

describe('streaming over batches equals one-shot', () => {
  it('accuracy, top-k, confusion matrix, precision/recall/F1 (exact)', () => {
    expect(stream(new StreamingAccuracy(), yTrue, probabilities)).toBe(accuracy(yTrue, probabilities));
    expect(stream(new StreamingTopKAccuracy({ k: 2 }), yTrue, f32(probabilities))).toBe(
      topKAccuracy(yTrue, f32(probabilities), { k: 2 }),
    );
    expect(stream(new StreamingConfusionMatrix({ numClasses: 5 }), yTrue, yPred)).toEqual(
      confusionMatrix(yTrue, yPred, { numClasses: 5 }),
    );
    for (const average of ['micro', 'macro', 'weighted'] as const) {
      expect(stream(new StreamingPrecisionRecallF1({ average }), yTrue, yPred)).toEqual(
        precisionRecallF1(yTrue, yPred, { average }),
      );
    }
    const binaryPred = binScore.map((s) => (s > 0.5 ? 1 : 0));
    expect(stream(new StreamingPrecisionRecallF1({ threshold: 0.5 }), binTrue, binScore)).toEqual(
      precisionRecallF1(binTrue, binaryPred),
    );
  });

  it('ROC AUC and average precision (stored scores)', () => {
    for (const average of ['macro', 'weighted', 'micro'] as const) {
      expect(stream(new StreamingRocAuc({ average }), yTrue, f32(probabilities))).toBe(
        rocAuc(yTrue, f32(probabilities), { average }),
      );
      expect(stream(new StreamingAveragePrecision({ average }), yTrue, f32(probabilities))).toBe(
        averagePrecision(yTrue, f32(probabilities), { average }),
      );
    }
    expect(stream(new StreamingRocAuc(), binTrue, f32v(binScore))).toBe(rocAuc(binTrue, f32v(binScore)));
    expect(stream(new StreamingAveragePrecision(), binTrue, f32v(binScore))).toBe(
      averagePrecision(binTrue, f32v(binScore)),
    );
  });

  it('log loss and calibration error (sums of per-sample terms)', () => {
    const streamed = stream(new StreamingLogLoss({ eps: 1e-7 }), yTrue, f32(probabilities));
    expect(Math.abs(streamed - logLoss(yTrue, f32(probabilities), { eps: 1e-7 }))).toBeLessThan(1e-12);
    const ece = stream(new StreamingCalibrationError({ numBins: 10 }), yTrue, f32(probabilities));
    expect(Math.abs(ece - expectedCalibrationError(yTrue, f32(probabilities), { numBins: 10 }))).toBeLessThan(
      1e-12,
    );
  });

  it('reset forgets every batch', () => {
    const metric = new StreamingConfusionMatrix();
    metric.update([0, 1], [1, 1]);
    metric.reset();
    metric.update([2, 2], [2, 0]);
    expect(metric.result()).toEqual([
      [0, 0],
      [1, 1],
    ]);
    const auc = new StreamingRocAuc();
    auc.update([0, 1], [0.9, 0.1]);
    auc.reset();
    auc.update([0, 1], [0.1, 0.9]);
    expect(auc.result()).toBe(1);
  });

  it('rejects batches shaped unlike the first and bad options', () => {
    const auc = new StreamingAveragePrecision();
    auc.update([0, 1], [0.2, 0.4]);
    expect(() =>
      auc.update(
        [0, 1],
        [
          [0.2, 0.8],
          [0.5, 0.5],
        ],
      ),
    ).toThrow(ZooError);
    expect(() => new StreamingTopKAccuracy({ k: 0 })).toThrow(
      /options.k must be a positive integer; received 0/,
    );
    expect(() => new StreamingCalibrationError({ numBins: 2.5 })).toThrow(/numBins.*received 2.5/);
    expect(() => new StreamingPrecisionRecallF1({ average: 'samples' as 'macro' })).toThrow(
      /average.*"samples"/,
    );
  });
});

describe('tfjs-layers metric functions in model.evaluate', () => {
  it('report the one-shot metrics of the predictions', () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ inputShape: [3], units: C, activation: 'softmax' }));
    model.compile({
      optimizer: 'sgd',
      loss: 'categoricalCrossentropy',
      metrics: [accuracyMetric(), topKAccuracyMetric(2), logLossMetric()],
    });
    const x = tf.randomNormal([N, 3], 0, 2, 'float32', 7);
    const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(yTrue, 'int32'), C), 'float32'));
    const [, acc, top2, loss] = (model.evaluate(x, y, { batchSize: 16 }) as tf.Scalar[]).map((t) => {
      const v = t.dataSync()[0];
      t.dispose();
      return v;
    });
    const predicted = model.predict(x) as tf.Tensor2D;
    const rows = predicted.arraySync();
    expect(acc).toBeCloseTo(accuracy(yTrue, rows), 6);
    expect(top2).toBeCloseTo(topKAccuracy(yTrue, rows, { k: 2 }), 6);
    expect(Math.abs(loss - logLoss(yTrue, rows, { eps: 1.1920928955078125e-7 }))).toBeLessThan(1e-5 * loss);
    expect(topKAccuracyMetric(3).name).toBe('top3Accuracy');
    tf.dispose([x, y, predicted]);
    model.dispose();
  });
});
