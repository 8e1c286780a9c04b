/**
 * CIFAR-10 and CIFAR-100 (Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009;
 * https://www.cs.toronto.edu/~kriz/cifar.html), binary version: fixed-size records of label byte(s)
 * then 3,072 pixel bytes, the red, green and blue 32×32 planes in turn. CIFAR-10 has one label byte,
 * CIFAR-100 two (coarse, fine). Read from the `.tar.gz` archive (streamed) or an extracted directory.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { invalidArgument, ZooError } from '@tfzoo/core';
import { ArrayImageDataset } from './dataset.js';
import { type DownloadOptions, downloadFile } from './download.js';
import type { Split } from './mnist.js';
import { CIFAR10_FILE, CIFAR100_FILE } from './resources.js';
import { readTarEntries } from './tar.js';

/** CIFAR-10 class names (`batches.meta.txt`). */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

const PLANE = 32 * 32;
const PIXELS = 3 * PLANE;

/** Images (HWC) and labels decoded from CIFAR binary records. */
export interface CifarRecords {
  /** `count × 32 × 32 × 3` pixels, HWC. */
  images: Uint8Array;
  /** The selected label of each record. */
  labels: Int32Array;
}

/**
 * Decodes CIFAR binary records: `labelBytes` label bytes (1 for CIFAR-10, 2 for CIFAR-100) then the
 * R, G, B planes, converted to HWC. `labelIndex` picks which label byte to keep (CIFAR-100: 0 coarse,
 * 1 fine).
 *
 * @throws {@link @tfzoo/core!ZooError} `CORRUPT_FILE` naming `name` when the size is not a whole number of records.
 */
export function parseCifarRecords(
  bytes: Uint8Array,
  labelBytes: 1 | 2,
  labelIndex: number,
  name: string,
): CifarRecords {
  const recordSize = labelBytes + PIXELS;
  if (bytes.length === 0 || bytes.length % recordSize !== 0) {
    throw new ZooError(
      'CORRUPT_FILE',
      `${name} is ${bytes.length} bytes, not a whole number of ${recordSize}-byte CIFAR records`,
      { received: bytes.length, expected: `a positive multiple of ${recordSize}` },
    );
  }
  const count = bytes.length / recordSize;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const base = r * recordSize;
    labels[r] = bytes[base + labelIndex]!;
    const pixels = base + labelBytes;
    const out = r * PIXELS;
    for (let p = 0; p < PLANE; p++) {
      images[out + 3 * p] = bytes[pixels + p]!;
      images[out + 3 * p + 1] = bytes[pixels + PLANE + p]!;
      images[out + 3 * p + 2] = bytes[pixels + 2 * PLANE + p]!;
    }
  }
  return { images, labels };
}

/** Options of {@link loadCifar10} and {@link loadCifar100}. */
export interface CifarOptions extends DownloadOptions {
  /** `'train'` (50,000 images, the default) or `'test'` (10,000). */
  split?: Split;
  /**
   * The binary archive (`cifar-10-binary.tar.gz`), a directory containing it, or the extracted
   * directory (`cifar-10-batches-bin` / `cifar-100-binary`). Without it the archive is downloaded.
   */
  root?: string;
}

/** Options of {@link loadCifar100}. */
export interface Cifar100Options extends CifarOptions {
  /** Which labels: the 100 `'fine'` classes (default) or the 20 `'coarse'` superclasses. */
  labelMode?: 'fine' | 'coarse';
}

interface CifarLayout {
  archiveName: string;
  folder: string;
  files: Record<Split, string[]>;
  namesFile: string;
}

const CIFAR10_LAYOUT: CifarLayout = {
  archiveName: 'cifar-10-binary.tar.gz',
  folder: 'cifar-10-batches-bin',
  files: { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] },
  namesFile: 'batches.meta.txt',
};

async function kind(path: string): Promise<'file' | 'directory' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

/** Reads the wanted member files from an archive or a directory, keyed by base name. */
async function readMembers(
  root: string,
  layout: CifarLayout,
  wanted: string[],
): Promise<Map<string, { data: Buffer; name: string }>> {
  const found = new Map<string, { data: Buffer; name: string }>();
  let archive: string | undefined;
  const rootKind = await kind(root);
  if (rootKind === 'missing') {
    throw new ZooError('NOT_FOUND', `CIFAR root ${root} does not exist`, {
      received: root,
      expected: `${layout.archiveName} or a directory with its extracted files`,
    });
  }
  if (rootKind === 'file') archive = root;
  else {
    for (const dir of [root, join(root, layout.folder)]) {
      if ((await kind(join(dir, wanted[0]!))) === 'file') {
        for (const name of wanted) {
          const path = join(dir, name);
          if ((await kind(path)) === 'file') found.set(name, { data: await readFile(path), name: path });
        }
        break;
      }
    }
    if (found.size === 0 && (await kind(join(root, layout.archiveName))) === 'file') {
      archive = join(root, layout.archiveName);
    }
  }
  if (archive !== undefined) {
    const wantedSet = new Set(wanted);
    for await (const entry of readTarEntries(archive, { filter: (name) => wantedSet.has(basename(name)) })) {
      if (entry.data) found.set(basename(entry.name), { data: entry.data, name: `${archive}:${entry.name}` });
    }
  }
  return found;
}

async function loadCifar(
  layout: CifarLayout,
  labelBytes: 1 | 2,
  labelIndex: number,
  defaultClasses: readonly string[] | undefined,
  namesFile: string,
  options: CifarOptions,
  remote: typeof CIFAR10_FILE,
): Promise<ArrayImageDataset> {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw invalidArgument('split', split, "'train' or 'test'");
  const root = options.root ?? (await downloadFile(remote, options));
  const dataFiles = layout.files[split];
  const members = await readMembers(root, layout, [...dataFiles, namesFile]);
  const parts = dataFiles.map((file) => {
    const member = members.get(file);
    if (!member) {
      throw new ZooError('NOT_FOUND', `${file} is missing from ${root}`, {
        received: root,
        expected: `${layout.archiveName} or ${layout.folder}/ containing ${dataFiles.join(', ')}`,
      });
    }
    return parseCifarRecords(member.data, labelBytes, labelIndex, member.name);
  });
  const count = parts.reduce((n, p) => n + p.labels.length, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  for (const part of parts) {
    images.set(part.images, at * PIXELS);
    labels.set(part.labels, at);
    at += part.labels.length;
  }
  const names = members.get(namesFile);
  const classes = names
    ? names.data
        .toString('utf8')
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : defaultClasses;
  const maxLabel = labels.reduce((m, l) => Math.max(m, l), 0);
  const classList = classes ?? Array.from({ length: maxLabel + 1 }, (_, i) => `class_${i}`);
  return new ArrayImageDataset({
    images,
    labels,
    shape: [32, 32, 3],
    classes: classList,
    source: members.get(dataFiles[0]!)!.name,
  });
}

/** CIFAR-10: 50,000 train / 10,000 test 32×32×3 uint8 images, 10 classes. */
export function loadCifar10(options: CifarOptions = {}): Promise<ArrayImageDataset> {
  return loadCifar(CIFAR10_LAYOUT, 1, 0, CIFAR10_CLASSES, CIFAR10_LAYOUT.namesFile, options, CIFAR10_FILE);
}

/**
 * CIFAR-100: 50,000 train / 10,000 test 32×32×3 uint8 images with 100 fine classes (default) or 20
 * coarse superclasses; class names are read from the archive's `fine_label_names.txt` /
 * `coarse_label_names.txt`.
 */
export function loadCifar100(options: Cifar100Options = {}): Promise<ArrayImageDataset> {
  const mode = options.labelMode ?? 'fine';
  if (mode !== 'fine' && mode !== 'coarse') throw invalidArgument('labelMode', mode, "'fine' or 'coarse'");
  const layout: CifarLayout = {
    archiveName: 'cifar-100-binary.tar.gz',
    folder: 'cifar-100-binary',
    files: { train: ['train.bin'], test: ['test.bin'] },
    namesFile: `${mode}_label_names.txt`,
  };
  return loadCifar(layout, 2, mode === 'fine' ? 1 : 0, undefined, layout.namesFile, options, CIFAR100_FILE);
}
