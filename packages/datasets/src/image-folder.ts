/**
 * Image-folder data sets (torchvision `datasets.ImageFolder`): one sub-folder per class, classes
 * sorted by name, files sorted within each class, decoded on demand.
 *
 * Decoding uses sharp (libvips): prebuilt binaries from the npm registry for every common platform,
 * JPEG, PNG and WebP (and more) in native code off the main thread, several times faster than pure-JS
 * decoders, and it reports truncated or invalid files as errors instead of returning garbage.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { invalidArgument, ZooError } from '@tfzoo/core';
import sharp from 'sharp';
import { checkIndex, type Dataset, type Sample } from './dataset.js';
import type { RawImage } from './image.js';

/** A non-fatal problem reported by a data set. */
export interface DatasetWarning {
  /** Kind of problem. */
  code: 'SKIPPED_IMAGE';
  /** Human-readable description naming the file. */
  message: string;
  /** The file concerned. */
  file: string;
  /** The underlying error. */
  cause?: unknown;
}

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** 3 for RGB (alpha dropped, grayscale expanded; the default) or 1 for grayscale. */
  channels?: 1 | 3;
}

/**
 * Decodes a JPEG, PNG or WebP file (or bytes) to a uint8 HWC image.
 *
 * @throws {@link @tfzoo/core!ZooError} `CORRUPT_FILE` naming the file when it cannot be decoded.
 */
export async function decodeImage(
  source: string | Uint8Array,
  options: DecodeOptions = {},
  name?: string,
): Promise<RawImage> {
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw invalidArgument('channels', channels, '1 or 3');
  const label = name ?? (typeof source === 'string' ? source : 'image bytes');
  try {
    let pipeline = sharp(source).removeAlpha();
    pipeline = channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) {
      throw new Error(`decoded ${info.channels} channels instead of ${channels}`);
    }
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      height: info.height,
      width: info.width,
      channels,
    };
  } catch (error) {
    // sharp reports a path that does not exist as "Input file is missing".
    if (typeof source === 'string' && /Input file is missing/.test((error as Error).message)) {
      throw new ZooError('NOT_FOUND', `${label} does not exist`, {
        received: label,
        expected: 'the path of a JPEG, PNG or WebP image',
        cause: error,
      });
    }
    throw new ZooError(
      'CORRUPT_FILE',
      `${label} could not be decoded (${(error as Error).message}); expected a readable JPEG, PNG or WebP image`,
      { received: label, expected: 'a JPEG, PNG or WebP image', cause: error },
    );
  }
}

/** Options of {@link imageFolder}. */
export interface ImageFolderOptions {
  /** File extensions to include, lowercase with the dot (default `.jpg .jpeg .png .webp`). */
  extensions?: readonly string[];
  /** 3 (RGB, default) or 1 (grayscale). */
  channels?: 1 | 3;
  /** Class folders to use, in label order (default: every sub-folder, sorted). */
  classes?: readonly string[];
  /**
   * Skip images that cannot be decoded instead of throwing: the sample reads as `null` (the loader
   * leaves it out of its batch) and a warning is reported. Default false.
   */
  skipCorrupt?: boolean;
  /**
   * Receives warnings (skipped images). Default: `process.emitWarning` with code
   * `TFZOO_SKIPPED_IMAGE` — which Node prints to stderr unless warnings are silenced.
   */
  onWarning?: (warning: DatasetWarning) => void;
}

const DEFAULT_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

async function listFiles(dir: string, extensions: ReadonlySet<string>): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path, extensions)));
    else if (extensions.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}

/** A folder-per-class data set, decoding each image when it is read. */
export class ImageFolderDataset implements Dataset {
  /** The root folder. */
  readonly root: string;
  /** Class names (folder names) in label order. */
  readonly classes: readonly string[];
  /** Image paths, index-aligned with {@link ImageFolderDataset.labels}. */
  readonly files: readonly string[];
  /** Label of each file. */
  readonly labels: Int32Array;
  /** Files skipped so far because they could not be decoded (with `skipCorrupt`). */
  readonly skipped: string[] = [];
  private readonly channels: 1 | 3;
  private readonly skipCorrupt: boolean;
  private readonly onWarning: (warning: DatasetWarning) => void;

  /** Use {@link imageFolder} to scan a folder; this takes the scanned lists. */
  constructor(
    root: string,
    classes: readonly string[],
    files: readonly string[],
    labels: Int32Array,
    options: ImageFolderOptions = {},
  ) {
    this.root = root;
    this.classes = classes;
    this.files = files;
    this.labels = labels;
    this.channels = options.channels ?? 3;
    this.skipCorrupt = options.skipCorrupt ?? false;
    this.onWarning =
      options.onWarning ??
      ((warning) =>
        process.emitWarning(warning.message, { code: 'TFZOO_SKIPPED_IMAGE', type: 'TfzooWarning' }));
  }

  /** Number of images. */
  get length(): number {
    return this.files.length;
  }

  /** Decodes image `index`; `null` when it is unreadable and `skipCorrupt` is on. */
  async get(index: number): Promise<Sample | null> {
    checkIndex(index, this.length);
    const file = this.files[index]!;
    try {
      const image = await decodeImage(file, { channels: this.channels });
      return { image, label: this.labels[index]! };
    } catch (error) {
      if (!this.skipCorrupt) throw error;
      this.skipped.push(file);
      this.onWarning({
        code: 'SKIPPED_IMAGE',
        message: `skipped ${file}: ${(error as Error).message}`,
        file,
        cause: error,
      });
      return null;
    }
  }

  /** The file of sample `index`. */
  describe(index: number): string {
    return this.files[index] ?? `sample ${index}`;
  }
}

/**
 * Scans `root` (one sub-folder per class, images possibly nested deeper) into an
 * {@link ImageFolderDataset}. Nothing is decoded yet.
 *
 * @throws {@link @tfzoo/core!ZooError} `NOT_FOUND` when `root` is unreadable, has no class folders, or a class
 * folder has no images.
 */
export async function imageFolder(
  root: string,
  options: ImageFolderOptions = {},
): Promise<ImageFolderDataset> {
  if (typeof root !== 'string' || root === '') throw invalidArgument('root', root, 'a directory path');
  if (options.channels !== undefined && options.channels !== 1 && options.channels !== 3) {
    throw invalidArgument('channels', options.channels, '1 or 3');
  }
  const extensions = new Set((options.extensions ?? DEFAULT_EXTENSIONS).map((e) => e.toLowerCase()));
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    throw new ZooError('NOT_FOUND', `cannot read image folder ${root}: ${(error as Error).message}`, {
      received: root,
      expected: 'a directory with one sub-folder per class',
      cause: error,
    });
  }
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const classes = options.classes ? [...options.classes] : folders;
  if (classes.length === 0) {
    throw new ZooError('NOT_FOUND', `${root} has no class sub-folders`, {
      received: root,
      expected: 'a directory with one sub-folder per class',
    });
  }
  const files: string[] = [];
  const labels: number[] = [];
  for (const [label, name] of classes.entries()) {
    if (!folders.includes(name)) {
      throw new ZooError('NOT_FOUND', `class folder ${join(root, name)} does not exist`, {
        received: name,
        expected: `one of ${folders.join(', ')}`,
      });
    }
    const classFiles = await listFiles(join(root, name), extensions);
    if (classFiles.length === 0) {
      throw new ZooError(
        'NOT_FOUND',
        `class folder ${join(root, name)} has no ${[...extensions].join('/')} images`,
        { received: join(root, name), expected: 'at least one image per class' },
      );
    }
    for (const file of classFiles) {
      files.push(file);
      labels.push(label);
    }
  }
  return new ImageFolderDataset(root, classes, files, Int32Array.from(labels), options);
}
