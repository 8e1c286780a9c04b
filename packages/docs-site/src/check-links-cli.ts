#!/usr/bin/env node
/**
 * `npm run check-links -w @tfzoo/docs-site [-- <site folder>]`: checks every internal link of the
 * built site (default `docs/api` at the repository root) and exits 1, listing them, when any is broken.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinks } from './links.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const site = process.argv[2] ?? join(root, 'docs', 'api');
const report = checkLinks(site);
for (const link of report.broken) console.error(`${link.page}: ${link.href} — ${link.reason}`);
const summary = `${report.pages} pages, ${report.links} internal links, ${report.broken.length} broken`;
if (report.broken.length > 0 || report.pages === 0) {
  console.error(report.pages === 0 ? `no HTML pages under ${site}` : summary);
  process.exit(1);
}
console.log(summary);
