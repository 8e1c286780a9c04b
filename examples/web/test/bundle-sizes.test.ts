/**
 * Per family: the minified + gzipped JavaScript of an app that imports only that family (with what
 * it pulls in: `@tfzoo/core`, tfjs-core, tfjs-layers), and the check that it pulls in no other
 * family beyond its declared dependencies (SE-ResNet is built on `@tfzoo/resnet`). The table in
 * `docs/guides/browser.md` comes from this test: `TFZOO_WRITE_BUNDLE_SIZES=1 npx vitest run
 * examples/web/test/bundle-sizes.test.ts` rewrites it; a plain run checks the table names every family.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, REPO_ROOT } from './bundle.js';

const FAMILIES = [
  'alexnet',
  'googlenet',
  'lenet',
  'mobilenet',
  'resnet',
  'senet',
  'shufflenet',
  'squeezenet',
  'vgg',
  'xception',
];
const GUIDE = join(REPO_ROOT, 'docs', 'guides', 'browser.md');
const BEGIN = '<!-- bundle-sizes:begin -->';
const END = '<!-- bundle-sizes:end -->';

const rows: { name: string; kib: number; families: string[] }[] = [];

function declaredFamilies(family: string): string[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', family, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {})
    .map((name) => name.replace('@tfzoo/', ''))
    .filter((name) => FAMILIES.includes(name));
}

describe('bundle size per family', () => {
  it.each(FAMILIES)('@tfzoo/%s pulls in no other family', async (family) => {
    const bundle = await bundleForBrowser(
      `import * as family from '@tfzoo/${family}';\nconsole.log(family);\n`,
    );
    const included = FAMILIES.filter((other) =>
      bundle.modules.some((id) => id.includes(`/packages/${other}/dist/`)),
    );
    expect(included).toContain(family);
    expect(included.filter((other) => other !== family).sort()).toEqual(declaredFamilies(family).sort());
    expect(bundle.nodeImports).toEqual([]);
    rows.push({ name: `@tfzoo/${family}`, kib: bundle.gzipBytes / 1024, families: included });
  });

  it('measures the pieces every app shares', async () => {
    for (const [name, source] of [
      [
        'tfjs-core + tfjs-layers',
        "import * as c from '@tensorflow/tfjs-core';\nimport * as l from '@tensorflow/tfjs-layers';\nconsole.log(c, l);\n",
      ],
      ['@tfzoo/core (+ tfjs-core, tfjs-layers)', "import * as m from '@tfzoo/core';\nconsole.log(m);\n"],
      ['@tfzoo/models (every family)', "import * as m from '@tfzoo/models';\nconsole.log(m);\n"],
      ['tfjs-backend-webgl', "import '@tensorflow/tfjs-backend-webgl';\n"],
      ['tfjs-backend-webgpu', "import '@tensorflow/tfjs-backend-webgpu';\n"],
      ['tfjs-backend-wasm (JS only)', "import '@tensorflow/tfjs-backend-wasm';\n"],
    ] as const) {
      const bundle = await bundleForBrowser(source);
      expect(bundle.nodeImports).toEqual([]);
      rows.push({ name, kib: bundle.gzipBytes / 1024, families: [] });
    }
  });

  afterAll(() => {
    const table = [
      '| app imports | min + gzip |',
      '| --- | ---: |',
      ...rows.map(
        (row) =>
          `| ${row.name}${
            row.families.length > 1
              ? ` (with ${row.families
                  .filter((f) => `@tfzoo/${f}` !== row.name)
                  .map((f) => `@tfzoo/${f}`)
                  .join(', ')})`
              : ''
          } | ${row.kib.toFixed(0)} KiB |`,
      ),
    ].join('\n');
    console.info(table);
    if (process.env.TFZOO_WRITE_BUNDLE_SIZES === '1') {
      const text = readFileSync(GUIDE, 'utf8');
      const start = text.indexOf(BEGIN);
      const end = text.indexOf(END);
      writeFileSync(GUIDE, `${text.slice(0, start + BEGIN.length)}\n${table}\n${text.slice(end)}`);
    }
  });

  it('the guide lists every family', () => {
    const text = readFileSync(GUIDE, 'utf8');
    const table = text.slice(text.indexOf(BEGIN), text.indexOf(END));
    for (const family of FAMILIES) expect(table).toContain(`| @tfzoo/${family}`);
  });
});
