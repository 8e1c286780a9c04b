/**
 * Every family package, and the guide's example family, has the files and export names the family
 * convention of docs/guides/new-architecture.md lists. The convention is read from the guide's table,
 * so the guide and the packages cannot drift apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Family, familyMappingId, getMapping, listMappings, type PretrainedConfig } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** One row of the guide's convention table. */
interface ConventionRow {
  file: string;
  exports: string[];
}

function readConvention(): ConventionRow[] {
  const guide = readFileSync(join(ROOT, 'docs/guides/new-architecture.md'), 'utf8');
  const table = /<!-- family-convention:start -->([\s\S]*?)<!-- family-convention:end -->/.exec(guide)?.[1];
  if (!table) throw new Error('docs/guides/new-architecture.md has no family-convention table');
  const rows = table
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => line.split('|').map((cell) => cell.trim()));
  return rows.map((cells) => ({
    file: (cells[1] ?? '').replaceAll('`', ''),
    exports: [...(cells[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string),
  }));
}

const CONVENTION = readConvention();

/** The family packages and the guide's example, by family name. */
const FAMILIES: Readonly<Record<string, { dir: string; load: () => Promise<Record<string, unknown>> }>> = {
  alexnet: { dir: 'packages/alexnet/src', load: () => import('@tfzoo/alexnet') },
  googlenet: { dir: 'packages/googlenet/src', load: () => import('@tfzoo/googlenet') },
  lenet: { dir: 'packages/lenet/src', load: () => import('@tfzoo/lenet') },
  mobilenet: { dir: 'packages/mobilenet/src', load: () => import('@tfzoo/mobilenet') },
  resnet: { dir: 'packages/resnet/src', load: () => import('@tfzoo/resnet') },
  senet: { dir: 'packages/senet/src', load: () => import('@tfzoo/senet') },
  shufflenet: { dir: 'packages/shufflenet/src', load: () => import('@tfzoo/shufflenet') },
  squeezenet: { dir: 'packages/squeezenet/src', load: () => import('@tfzoo/squeezenet') },
  vgg: { dir: 'packages/vgg/src', load: () => import('@tfzoo/vgg') },
  xception: { dir: 'packages/xception/src', load: () => import('@tfzoo/xception') },
  tinynet: {
    dir: 'examples/new-architecture/src/tinynet',
    load: () => import('../../../examples/new-architecture/src/tinynet/index.js'),
  },
};

/** A name pattern as a RegExp: `<FAMILY>` exact, `<Family>` case-insensitive (the whole name then is). */
function namePattern(pattern: string, family: string): RegExp {
  const caseless = pattern.includes('<Family>');
  const source = pattern
    .replaceAll('<FAMILY>', family.toUpperCase())
    .replaceAll('<Family>', family)
    .replaceAll('<family>', family);
  return new RegExp(`^${source}$`, caseless ? 'i' : '');
}

/** Names a source file declares with `export const|function|class|interface|type`. */
function declaredExports(source: string): string[] {
  return [
    ...source.matchAll(/^export\s+(?:declare\s+)?(?:const|let|function|class|interface|type|enum)\s+(\w+)/gm),
  ].map((m) => m[1] as string);
}

/** Names an index file re-exports (`export { a, type B } from …`). */
function reexports(source: string): string[] {
  const names: string[] = [];
  for (const block of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const item of (block[1] as string).split(',')) {
      const name = item
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.push(name);
    }
  }
  return names;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => entry.name)
    .sort();
}

describe('the family convention of docs/guides/new-architecture.md', () => {
  it('is a table of the files every family has, with the names each exports', () => {
    expect(CONVENTION.map((row) => row.file)).toEqual([
      '<family>.ts',
      'blocks.ts',
      'variants.ts',
      'pretrained.ts',
      'mapping.ts',
      'family.ts',
      'index.ts',
    ]);
    expect(CONVENTION.flatMap((row) => row.exports)).toContain('<FAMILY>_FAMILY');
  });

  for (const [family, { dir, load }] of Object.entries(FAMILIES)) {
    describe(family, () => {
      it('has exactly the convention’s source files', () => {
        const expected = CONVENTION.map((row) => row.file.replace('<family>', family)).sort();
        expect(sourceFiles(dir)).toEqual(expected);
      });

      it('declares each convention name in its file and re-exports it from index.ts', () => {
        const index = reexports(readFileSync(join(ROOT, dir, 'index.ts'), 'utf8'));
        for (const row of CONVENTION) {
          const file = row.file.replace('<family>', family);
          const declared = declaredExports(readFileSync(join(ROOT, dir, file), 'utf8'));
          for (const pattern of row.exports) {
            const regexp = namePattern(pattern, family);
            const found = declared.find((name) => regexp.test(name));
            expect(found, `${dir}/${file} exports ${pattern}`).toBeDefined();
            expect(index, `${dir}/index.ts re-exports ${found}`).toContain(found);
          }
        }
      });

      it('registers its variants and mappings through defineFamily under family/source ids', async () => {
        const api = await load();
        const upper = family.toUpperCase();
        const registered = api[`${upper}_FAMILY`] as Family<unknown>;
        expect(registered.name).toBe(family);
        expect(registered.variants).toBe(api[`${upper}_VARIANTS`]);
        const builder = Object.keys(api).find((name) => name.toLowerCase() === `build${family}`);
        expect(typeof api[builder as string]).toBe('function');
        expect(Array.isArray(api[`${upper}_OPTION_KEYS`])).toBe(true);
        const mappings = api[`${upper}_MAPPINGS`] as Record<string, unknown>;
        for (const source of Object.keys(mappings)) {
          const id = familyMappingId(family, source);
          expect(registered.mappingIds[source]).toBe(id);
          expect(listMappings()).toContain(id);
          expect(getMapping(id).id).toBe(id);
        }
        const ids = Object.values(registered.mappingIds);
        for (const entry of api[`${upper}_PRETRAINED`] as readonly PretrainedConfig[]) {
          expect([...ids, 'default', 'tfjs'], entry.id).toContain(entry.mapping);
        }
        expect(registered.definitions.map((d) => d.name)).toEqual(Object.keys(registered.variants));
        expect(registered.definitions.every((d) => d.family === family)).toBe(true);
      });
    });
  }
});

describe('mapping ids used before the family/source convention', () => {
  it('still resolve, to the family mapping that replaced them (and are not listed)', () => {
    const aliases = {
      'timm-vgg': 'vgg/timm',
      'torchvision-googlenet': 'googlenet/torchvision',
      resnet: 'resnet/torchvision',
      'legacy-senet': 'senet/legacy',
    };
    for (const [alias, id] of Object.entries(aliases)) {
      expect(getMapping(alias).id, alias).toBe(id);
      expect(listMappings()).not.toContain(alias);
    }
  });
});
