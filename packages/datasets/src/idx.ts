/**
 * The IDX format of MNIST and Fashion-MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/, and
 * https://github.com/zalandoresearch/fashion-mnist): a big-endian header — two zero bytes, a type
 * byte (0x08 unsigned byte), the number of dimensions — then one u32 per dimension and the data.
 * Images are `0x00000803` (count × rows × columns), labels `0x00000801` (count). Files may be gzipped.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { ZooError } from '@tfzoo/core';

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  /** Dimensions from the header. */
  shape: number[];
  /** The data, row-major. */
  data: Uint8Array;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Whether bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * Decompresses gzip bytes (returned unchanged when they are not gzip).
 *
 * @throws {@link @tfzoo/core!ZooError} `CORRUPT_FILE` naming `name` when the stream is damaged or truncated.
 */
export function maybeGunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    throw new ZooError(
      'CORRUPT_FILE',
      `${name} is not a readable gzip file (${(error as Error).message}); expected a gzip-compressed IDX file`,
      { received: name, expected: 'a valid gzip stream', cause: error },
    );
  }
}

/**
 * Parses IDX bytes (gzipped or not) of unsigned bytes with `expectedDims` dimensions.
 *
 * @param name - the file name, used in every error message.
 * @throws {@link @tfzoo/core!ZooError} `CORRUPT_FILE` naming the file for a wrong magic number, a wrong number of
 * dimensions, or data shorter or longer than the header says.
 */
export function parseIdx(bytes: Uint8Array, name: string, expectedDims?: number): IdxArray {
  const raw = maybeGunzip(bytes, name);
  if (raw.length < 4) {
    throw new ZooError(
      'CORRUPT_FILE',
      `${name} is ${raw.length} bytes long; expected an IDX header (≥ 4 bytes)`,
      {
        received: raw.length,
        expected: 'at least 4 bytes',
      },
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0, false);
  const dims = raw[3]!;
  const expectedMagic = expectedDims === undefined ? undefined : 0x800 + expectedDims;
  const hex = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;
  if (
    raw[0] !== 0 ||
    raw[1] !== 0 ||
    raw[2] !== 0x08 ||
    (expectedMagic !== undefined && magic !== expectedMagic)
  ) {
    throw new ZooError(
      'CORRUPT_FILE',
      `${name} has IDX magic number ${hex(magic)}; expected ${
        expectedMagic === undefined ? '0x000008NN (unsigned bytes)' : hex(expectedMagic)
      } (${expectedDims === 3 ? 'images' : expectedDims === 1 ? 'labels' : 'unsigned-byte IDX'})`,
      { received: magic, expected: expectedMagic === undefined ? '0x000008NN' : hex(expectedMagic) },
    );
  }
  const headerLength = 4 + 4 * dims;
  if (raw.length < headerLength) {
    throw new ZooError('CORRUPT_FILE', `${name} ends inside its IDX header (${raw.length} bytes)`, {
      received: raw.length,
      expected: `at least ${headerLength} bytes`,
    });
  }
  const shape: number[] = [];
  for (let d = 0; d < dims; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  if (raw.length - headerLength !== count) {
    throw new ZooError(
      'CORRUPT_FILE',
      `${name} holds ${raw.length - headerLength} data bytes; its header [${shape.join(', ')}] says ${count}`,
      { received: raw.length - headerLength, expected: `${count} bytes` },
    );
  }
  return { shape, data: raw.subarray(headerLength) };
}

/** Reads and parses an IDX file (see {@link parseIdx}). */
export async function readIdxFile(path: string, expectedDims?: number): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ZooError('NOT_FOUND', `cannot read ${path}: ${(error as Error).message}`, {
      received: path,
      expected: 'a readable IDX file',
      cause: error,
    });
  }
  return parseIdx(bytes, path, expectedDims);
}

/** Images and labels read from a pair of IDX files. */
export interface IdxImagesAndLabels {
  /** Pixels, `count × rows × columns`. */
  images: Uint8Array;
  /** Labels as class indices. */
  labels: Int32Array;
  /** `[rows, columns]`. */
  imageSize: [number, number];
}

/**
 * Reads an IDX image file and its label file and checks that they describe the same samples.
 *
 * @throws {@link @tfzoo/core!ZooError} `CORRUPT_FILE` naming both files when the counts differ.
 */
export async function readIdxImagesAndLabels(
  imagesPath: string,
  labelsPath: string,
): Promise<IdxImagesAndLabels> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath, 3), readIdxFile(labelsPath, 1)]);
  const imageCount = images.shape[0]!;
  const labelCount = labels.shape[0]!;
  if (imageCount !== labelCount) {
    throw new ZooError(
      'CORRUPT_FILE',
      `${labelsPath} has ${labelCount} labels but ${imagesPath} has ${imageCount} images; expected one label per image`,
      { received: labelCount, expected: `${imageCount} labels` },
    );
  }
  return {
    images: images.data,
    labels: Int32Array.from(labels.data),
    imageSize: [images.shape[1]!, images.shape[2]!],
  };
}
