// Imagenette from a .tgz in the fast.ai layout (written by GNU tar): extracted once into the cache
// and read as an image folder; archives with paths escaping the target are refused.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ZooError } from '@tfzoo/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { extractTar, IMAGENETTE_CLASSES, loadImagenette } from './imagenette.js';
import { randomBytes, tempDir } from './test/fixtures.js';
import { runPython } from './test/python.js';

describe('Imagenette', () => {
  it('extracts the archive into the cache once and reads train and val folders', async () => {
    const work = tempDir();
    const tree = join(work, 'tree');
    const expected = new Map<string, Uint8Array>();
    for (const split of ['train', 'val']) {
      for (const [k, { wnid }] of IMAGENETTE_CLASSES.entries()) {
        const dir = join(tree, 'imagenette2-160', split, wnid);
        mkdirSync(dir, { recursive: true });
        const pixels = randomBytes(5 * 6 * 3, k + (split === 'val' ? 100 : 0));
        await sharp(pixels, { raw: { width: 6, height: 5, channels: 3 } })
          .png()
          .toFile(join(dir, `${wnid}_1.png`));
        expected.set(`${split}/${wnid}`, pixels);
      }
    }
    const archive = join(work, 'imagenette2-160.tgz');
    execFileSync('tar', ['czf', archive, '-C', tree, 'imagenette2-160']);
    const cacheDir = join(work, 'cache');
    const val = await loadImagenette({ root: archive, split: 'val', cacheDir });
    expect(val.length).toBe(10);
    expect(val.classes).toEqual(IMAGENETTE_CLASSES.map((c) => c.wnid));
    const sample = (await val.get(3))!;
    expect(sample.label).toBe(3);
    const wnid = IMAGENETTE_CLASSES[3]!.wnid;
    expect(Buffer.from(sample.image.data).equals(Buffer.from(expected.get(`val/${wnid}`)!))).toBe(true);
    expect(
      existsSync(join(cacheDir, 'datasets', 'imagenette2-160-extracted', 'imagenette2-160', 'train')),
    ).toBe(true);
    const train = await loadImagenette({ root: archive, split: 'train', cacheDir });
    expect(train.length).toBe(10);
  });

  it('refuses archive members that would land outside the target folder', async () => {
    const work = tempDir();
    const archive = join(work, 'evil.tar.gz');
    runPython(
      [
        'import io, sys, tarfile',
        "t = tarfile.open(sys.argv[1], 'w:gz')",
        "i = tarfile.TarInfo('../escape.txt'); i.size = 2",
        "t.addfile(i, io.BytesIO(b'hi')); t.close()",
      ].join('\n'),
      [archive],
    );
    const error = await extractTar(archive, join(work, 'out')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZooError);
    expect((error as ZooError).code).toBe('UNSAFE_FILE');
    expect(existsSync(join(work, 'escape.txt'))).toBe(false);
  });
});
