/**
 * Every published package except the CLI and the bench bundles for browsers with no Node built-in
 * and no Node global (DESIGN §4): bundled with Vite the way an application would, from the built
 * `dist/` through each package's `exports` map, as an installed package resolves.
 */
import { describe, expect, it } from 'vitest';
import { browserPackages, bundleForBrowser, findNodeGlobal } from './bundle.js';

describe('browser bundles', () => {
  const packages = browserPackages();

  it('cover every published package but the CLI and the bench', () => {
    expect(packages).toContain('@tfzoo/core');
    expect(packages).toContain('@tfzoo/models');
    expect(packages).not.toContain('@tfzoo/cli');
    expect(packages).not.toContain('@tfzoo/bench');
    expect(packages.length).toBeGreaterThanOrEqual(19);
  });

  it.each(packages)('%s imports no Node built-in', async (name) => {
    // The namespace object is used, so nothing is tree-shaken away: every export is in the bundle.
    const bundle = await bundleForBrowser(`import * as m from '${name}';\nconsole.log(m);\n`);
    expect(bundle.modules.some((id) => id.includes(`/packages/${name.slice('@tfzoo/'.length)}/dist/`))).toBe(
      true,
    );
    expect(bundle.nodeImports).toEqual([]);
    expect(bundle.nodeGlobals).toEqual([]);
  });

  it('the guard finds Node globals in code, not in comments or properties', () => {
    expect(findNodeGlobal('const a = 1;\n// process.env.X\n/* Buffer.from */ x.process.y;')).toBeUndefined();
    expect(findNodeGlobal('if (a) process.emitWarning("x");')).toBe('process.emitWarning');
    expect(findNodeGlobal('const b = Buffer.from(x);')).toBe('Buffer.from');
  });

  it('the guard finds a Node built-in', async () => {
    const bundle = await bundleForBrowser(
      "import { readFileSync } from 'node:fs';\nimport * as m from '@tfzoo/core';\nconsole.log(readFileSync, m);\n",
    );
    expect(bundle.nodeImports.map((found) => found.specifier)).toEqual(['node:fs']);
  });
});
