/**
 * Pixels in, normalized NHWC tensors out, by a pretrained config's {@link Preprocessing} (the same
 * numbers the Node tools use): a picture is resized so its shorter side is `resizeSize`, centre
 * cropped to `inputSize`, turned gray for one-channel models, scaled to `inputRange`, then
 * `(x − mean) / std`. The Fashion-MNIST sample is read from `@tfzoo/datasets`' IDX files.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Preprocessing } from '@tfzoo/core';
import imagesUrl from '@tfzoo/datasets/data/fashion-mnist-sample/t10k-images-idx3-ubyte.gz?url';
import labelsUrl from '@tfzoo/datasets/data/fashion-mnist-sample/t10k-labels-idx1-ubyte.gz?url';

/** Images of one size with their labels, as raw bytes (HWC, channels 1 or 3). */
export interface PixelSet {
  pixels: Uint8Array;
  labels: number[];
  height: number;
  width: number;
  channels: number;
}

async function gunzip(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
  const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The 1,000-image Fashion-MNIST test sample that ships inside `@tfzoo/datasets`. */
export async function loadFashionMnistSample(): Promise<PixelSet> {
  const [images, labels] = await Promise.all([gunzip(imagesUrl), gunzip(labelsUrl)]);
  const view = new DataView(images.buffer, images.byteOffset, images.byteLength);
  if (view.getUint32(0) !== 0x803) throw new Error('the sample images are not an IDX3 file');
  const count = view.getUint32(4);
  const height = view.getUint32(8);
  const width = view.getUint32(12);
  return {
    pixels: images.subarray(16, 16 + count * height * width),
    labels: [...labels.subarray(8, 8 + count)],
    height,
    width,
    channels: 1,
  };
}

/** Normalizes a `[n, h, w, c]` tensor of 0–255 values by `preprocessing` (tidy: returns a new tensor). */
export function normalize(batch: tf.Tensor4D, preprocessing: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    const [low, high] = preprocessing.inputRange;
    const scaled = tf.add(tf.mul(tf.cast(batch, 'float32'), (high - low) / 255), low);
    const mean = tf.tensor1d([...preprocessing.mean]);
    const std = tf.tensor1d([...preprocessing.std]);
    return tf.div(tf.sub(scaled, mean), std) as tf.Tensor4D;
  });
}

/** `count` images of a pixel set from `start`, normalized for the model. */
export function sampleBatch(
  set: PixelSet,
  start: number,
  count: number,
  preprocessing: Preprocessing,
): tf.Tensor4D {
  const size = set.height * set.width * set.channels;
  const end = Math.min(set.labels.length, start + count);
  return tf.tidy(() => {
    const raw = tf.tensor4d(
      set.pixels.subarray(start * size, end * size),
      [end - start, set.height, set.width, set.channels],
      'int32',
    );
    const [h, w, c] = preprocessing.inputSize;
    let batch = raw as tf.Tensor4D;
    if (set.channels !== c)
      batch = (c === 3 ? tf.tile(batch, [1, 1, 1, 3]) : tf.mean(batch, 3, true)) as tf.Tensor4D;
    if (set.height !== h || set.width !== w) batch = tf.image.resizeBilinear(batch, [h, w]);
    return normalize(batch, preprocessing);
  });
}

/**
 * Draws a picture (an `<img>`, a bitmap, a canvas) the way the model was trained to see it:
 * shorter side resized to `resizeSize`, centre crop of `inputSize`; returns its 0–255 pixels.
 */
export function pixelsOf(
  source: CanvasImageSource & { width: number; height: number },
  preprocessing: Preprocessing,
): PixelSet {
  const [h, w, c] = preprocessing.inputSize;
  const scale = preprocessing.resizeSize / Math.min(source.width, source.height);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const drawnWidth = source.width * scale;
  const drawnHeight = source.height * scale;
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, (w - drawnWidth) / 2, (h - drawnHeight) / 2, drawnWidth, drawnHeight);
  const rgba = context.getImageData(0, 0, w, h).data;
  const pixels = new Uint8Array(h * w * c);
  for (let i = 0; i < h * w; i++) {
    const [r, g, b] = [rgba[4 * i]!, rgba[4 * i + 1]!, rgba[4 * i + 2]!];
    if (c === 1) pixels[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      const rgb = preprocessing.channelOrder === 'BGR' ? [b, g, r] : [r, g, b];
      pixels.set(rgb, 3 * i);
    }
  }
  return { pixels, labels: [-1], height: h, width: w, channels: c };
}

/** A canvas showing one image of a pixel set (gray or RGB), scaled up `zoom` times. */
export function drawPixels(set: PixelSet, index: number, zoom = 2): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = set.width;
  canvas.height = set.height;
  canvas.style.width = `${set.width * zoom}px`;
  canvas.style.height = `${set.height * zoom}px`;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(set.width, set.height);
  const size = set.width * set.height;
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < 3; k++) {
      image.data[4 * i + k] = set.pixels[(index * size + i) * set.channels + (set.channels === 3 ? k : 0)]!;
    }
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas;
}
