import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLinks, pageLinks } from './links.js';

const site = mkdtempSync(join(tmpdir(), 'tfzoo-links-'));
afterAll(() => rmSync(site, { recursive: true, force: true }));

function page(path: string, body: string): void {
  const file = join(site, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `<!doctype html><html><body>${body}</body></html>`);
}

page(
  'index.html',
  [
    '<a href="modules/core.html">ok</a>',
    '<a href="modules/core.html#createModel">ok anchor</a>',
    '<a href="modules/core.html#missing">bad anchor</a>',
    '<a href="modules/gone.html">bad file</a>',
    '<a href="#top">own anchor</a>',
    '<a id="top"></a>',
    '<a href="https://example.com/x.html">external</a>',
    '<a href="mailto:a@b.c">mail</a>',
    '<img src="assets/logo.png">',
    '<a href="docs/">folder with index</a>',
    '<a href="../outside.html">outside</a>',
    '<a href="modules/core.html?x=1#a%20b">encoded</a>',
    '<script>const s = \'<a href="nowhere.html">\';</script>',
  ].join('\n'),
);
page(
  'modules/core.html',
  '<h2 id="createModel">createModel</h2><a name="a b"></a><a href="../index.html#top">up</a>',
);
page('docs/index.html', '<a href="../modules/core.html#createModel">x</a><a href="../docs">self</a>');
writeFileSync(join(site, 'outside.html'), '');
mkdirSync(join(site, 'assets'), { recursive: true });
writeFileSync(join(site, 'assets', 'logo.png'), '');

describe('checkLinks', () => {
  it('finds exactly the broken internal links: missing files, missing anchors, paths leaving the site', () => {
    const report = checkLinks(join(site, 'docs', '..'));
    expect(report.pages).toBe(4);
    expect(report.broken).toEqual([
      { page: 'index.html', href: 'modules/core.html#missing', reason: 'no element with id "missing"' },
      { page: 'index.html', href: 'modules/gone.html', reason: 'no file modules/gone.html' },
      { page: 'index.html', href: '../outside.html', reason: 'points outside the site' },
    ]);
    // index: 9 internal (external, mailto and the script are not links); core: 1; docs: 2.
    expect(report.links).toBe(9 + 1 + 2);
  });

  it('checks the site root itself, which must exist', () => {
    expect(() => checkLinks(join(site, 'nope'))).toThrow('run `npm run docs` first');
  });

  it('decodes entities in attributes and ignores links inside scripts', () => {
    expect(pageLinks('<a href="a.html?x=1&amp;y=2">x</a><script>"<a href=\'b.html\'>"</script>')).toEqual([
      'a.html?x=1&y=2',
    ]);
  });
});
