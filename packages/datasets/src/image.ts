/**
 * The image type every transform works on: pixels in a typed array, height × width × channels
 * (HWC, the layout of a TF.js image tensor without its batch axis).
 *
 * Typed arrays rather than tensors: per-sample augmentation is many small, branchy operations that
 * run faster as plain loops than as kernel launches, they need no `dispose`, and they move between
 * the decoder, the transforms and the batch buffer without copies. A batch becomes a tensor once, at
 * the end (see {@link imageToTensor} and the loader).
 */
import * as tf from '@tensorflow/tfjs-core';
import { invalidArgument } from '@tfzoo/core';

/** Pixel storage: 8-bit (as decoded, 0–255) or 32-bit float (0–1 before normalization). */
export type PixelArray = Uint8Array | Float32Array;

/** Element type of a {@link RawImage}. */
export type PixelType = 'uint8' | 'float32';

/** An image as pixels in HWC order: `data[(y * width + x) * channels + c]`. */
export interface RawImage {
  /** The pixels, `height * width * channels` of them. */
  data: PixelArray;
  /** Rows. */
  height: number;
  /** Columns. */
  width: number;
  /** Channels per pixel (1 grayscale, 3 RGB). */
  channels: number;
}

/** Allocates a zero-filled image. */
export function createImage(height: number, width: number, channels: number, type: PixelType): RawImage {
  for (const [name, value] of [
    ['height', height],
    ['width', width],
    ['channels', channels],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw invalidArgument(name, value, 'a positive integer');
  }
  const size = height * width * channels;
  return { data: type === 'uint8' ? new Uint8Array(size) : new Float32Array(size), height, width, channels };
}

/** The element type of an image's pixels. */
export function pixelType(image: RawImage): PixelType {
  return image.data instanceof Uint8Array ? 'uint8' : 'float32';
}

/** An empty image with the same element type as `like`. */
export function createLike(
  like: RawImage,
  height: number,
  width: number,
  channels = like.channels,
): RawImage {
  return createImage(height, width, channels, pixelType(like));
}

/**
 * Checks that `image` is a well-formed {@link RawImage}.
 *
 * @throws {@link @tfzoo/core!ZooError} naming the field that is wrong.
 */
export function assertImage(image: RawImage, what = 'image'): void {
  if (typeof image !== 'object' || image === null) {
    throw invalidArgument(what, image, 'an image { data, height, width, channels }');
  }
  if (!(image.data instanceof Uint8Array || image.data instanceof Float32Array)) {
    throw invalidArgument(`${what}.data`, image.data, 'a Uint8Array or Float32Array');
  }
  const { height, width, channels } = image;
  if (![height, width, channels].every((v) => Number.isInteger(v) && v > 0)) {
    throw invalidArgument(
      `${what} size`,
      [height, width, channels],
      'positive integers [height, width, channels]',
    );
  }
  if (image.data.length !== height * width * channels) {
    throw invalidArgument(
      `${what}.data.length`,
      image.data.length,
      `height * width * channels = ${height * width * channels}`,
    );
  }
}

/** A float copy of the image with every value multiplied by `scale` (e.g. `1 / 255`). */
export function toFloatImage(image: RawImage, scale = 1): RawImage {
  const data = new Float32Array(image.data.length);
  const source = image.data;
  for (let i = 0; i < source.length; i++) data[i] = source[i]! * scale;
  return { data, height: image.height, width: image.width, channels: image.channels };
}

/** A `[height, width, channels]` float32 tensor of the image (the caller disposes it). */
export function imageToTensor(image: RawImage): tf.Tensor3D {
  assertImage(image);
  const data = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
  return tf.tensor3d(data, [image.height, image.width, image.channels], 'float32');
}

/** Reads a `[height, width, channels]` tensor back into a float32 {@link RawImage}. */
export function tensorToImage(tensor: tf.Tensor3D): RawImage {
  if (tensor.rank !== 3) throw invalidArgument('tensor shape', tensor.shape, '[height, width, channels]');
  const [height, width, channels] = tensor.shape;
  return { data: Float32Array.from(tensor.dataSync()), height, width, channels };
}

/** Rounds half to even, as `torch.round` and Python's `round` do. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Writes float values into a uint8 image the way torchvision casts: round half to even, clamp. */
export function storeUint8(target: Uint8Array, index: number, value: number): void {
  const rounded = roundHalfEven(value);
  target[index] = rounded < 0 ? 0 : rounded > 255 ? 255 : rounded;
}
