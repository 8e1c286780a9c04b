/**
 * Imagenette (Jeremy Howard, fast.ai, https://github.com/fastai/imagenette; Apache-2.0): ten easily
 * told-apart ImageNet classes, the usual fine-tuning demo. Version 2 archives (`imagenette2-*.tgz`)
 * hold `train/` and `val/` folders with one WordNet-id folder per class. The archive is downloaded
 * through the verified cache and extracted once; the splits are read as image folders.
 */
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { invalidArgument, ZooError } from '@tfzoo/core';
import { type DownloadOptions, defaultCacheDir, downloadFile } from './download.js';
import { type ImageFolderDataset, type ImageFolderOptions, imageFolder } from './image-folder.js';
import { IMAGENETTE_FILES, type ImagenetteSize } from './resources.js';
import { readTarEntries } from './tar.js';

/** The Imagenette classes in label order: WordNet id, readable name, and ImageNet-1k class index. */
export const IMAGENETTE_CLASSES: readonly { wnid: string; name: string; imagenetIndex: number }[] = [
  { wnid: 'n01440764', name: 'tench', imagenetIndex: 0 },
  { wnid: 'n02102040', name: 'English springer', imagenetIndex: 217 },
  { wnid: 'n02979186', name: 'cassette player', imagenetIndex: 482 },
  { wnid: 'n03000684', name: 'chain saw', imagenetIndex: 491 },
  { wnid: 'n03028079', name: 'church', imagenetIndex: 497 },
  { wnid: 'n03394916', name: 'French horn', imagenetIndex: 566 },
  { wnid: 'n03417042', name: 'garbage truck', imagenetIndex: 569 },
  { wnid: 'n03425413', name: 'gas pump', imagenetIndex: 571 },
  { wnid: 'n03445777', name: 'golf ball', imagenetIndex: 574 },
  { wnid: 'n03888605', name: 'parachute', imagenetIndex: 701 },
];

/** Options of {@link loadImagenette}. */
export interface ImagenetteOptions extends DownloadOptions, Omit<ImageFolderOptions, 'classes'> {
  /** `'train'` (9,469 images, the default) or `'val'` (3,925). */
  split?: 'train' | 'val';
  /** Shorter side of the images: `'160'` (default), `'320'` or `'full'`. */
  size?: ImagenetteSize;
  /** An extracted `imagenette2-*` directory (with `train/` and `val/`) or its `.tgz`; else downloaded. */
  root?: string;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Extracts a tar(.gz) archive into `target` (created), rejecting entries that would land outside it.
 * Extraction goes to a temporary sibling first and is renamed into place when complete.
 */
export async function extractTar(archive: string, target: string, signal?: AbortSignal): Promise<void> {
  const partial = `${target}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    for await (const entry of readTarEntries(archive, signal ? { signal } : {})) {
      const clean = normalize(entry.name);
      if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`)) {
        throw new ZooError(
          'UNSAFE_FILE',
          `${archive} contains the path ${entry.name}, outside the target folder`,
          {
            received: entry.name,
            expected: 'relative paths inside the archive',
          },
        );
      }
      const path = join(partial, clean);
      if (entry.type === 'directory') await mkdir(path, { recursive: true });
      else if (entry.type === 'file' && entry.data) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, entry.data);
      }
    }
    await rm(target, { recursive: true, force: true });
    await mkdir(dirname(target), { recursive: true });
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Imagenette v2 as an image folder with the WordNet ids as class names (see
 * {@link IMAGENETTE_CLASSES} for readable names and ImageNet indices).
 */
export async function loadImagenette(options: ImagenetteOptions = {}): Promise<ImageFolderDataset> {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'val') throw invalidArgument('split', split, "'train' or 'val'");
  const size = options.size ?? '160';
  const file = IMAGENETTE_FILES[size];
  if (!file) throw invalidArgument('size', size, "'160', '320' or 'full'");
  const folderName = file.fileName.replace(/\.tgz$/, '');
  let base: string;
  if (options.root !== undefined && (await isDirectory(options.root))) {
    base = (await isDirectory(join(options.root, split))) ? options.root : join(options.root, folderName);
  } else {
    const archive = options.root ?? (await downloadFile(file, options));
    const extracted = join(options.cacheDir ?? defaultCacheDir(), 'datasets', `${folderName}-extracted`);
    if (!(await isDirectory(join(extracted, folderName, split))))
      await extractTar(archive, extracted, options.signal);
    base = join(extracted, folderName);
  }
  const { split: _split, size: _size, root: _root, ...folderOptions } = options;
  return imageFolder(join(base, split), { ...folderOptions, classes: IMAGENETTE_CLASSES.map((c) => c.wnid) });
}
