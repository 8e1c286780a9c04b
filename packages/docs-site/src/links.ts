/**
 * A link checker for the built site (`docs/api`): every relative `href`/`src` in every HTML file
 * must name a file of the site, and every `#fragment` an element id (or anchor name) in the target
 * page. External links (`https:`, `mailto:`, …) are not followed: the check is offline and
 * deterministic.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { invalidArgument } from '@tfzoo/core';

/** One link that leads nowhere. */
export interface BrokenLink {
  /** Page holding the link, relative to the site root. */
  page: string;
  /** The link as written. */
  href: string;
  /** Why it is broken. */
  reason: string;
}

/** The result of {@link checkLinks}. */
export interface LinkReport {
  /** HTML pages read. */
  pages: number;
  /** Internal links checked (fragments included). */
  links: number;
  /** Links that lead nowhere, in page order. */
  broken: BrokenLink[];
}

const ATTRIBUTE = /\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const ID = /\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function htmlFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...htmlFiles(path));
    else if (entry.name.endsWith('.html')) files.push(path);
  }
  return files.sort();
}

/** The ids and anchor names a page defines. */
export function pageAnchors(html: string): Set<string> {
  const ids = new Set<string>();
  for (const match of html.matchAll(ID)) ids.add(decodeEntities(match[1] ?? match[2] ?? ''));
  return ids;
}

/** The `href` and `src` values of a page, entities decoded. */
export function pageLinks(html: string): string[] {
  // Scripts may contain markup-like strings; links inside them are not the page's links.
  const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
  return [...markup.matchAll(ATTRIBUTE)].map((match) => decodeEntities(match[1] ?? match[2] ?? ''));
}

/**
 * Checks every internal link of the site under `root`.
 *
 * @throws {@link @tfzoo/core!ZooError} `INVALID_ARGUMENT` when `root` is not a folder.
 */
export function checkLinks(root: string): LinkReport {
  const site = resolve(root);
  if (!existsSync(site) || !statSync(site).isDirectory()) {
    throw invalidArgument('site root', root, 'a folder holding the built site (run `npm run docs` first)');
  }
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (path: string): Set<string> => {
    let anchors = anchorCache.get(path);
    if (!anchors) {
      anchors = path.endsWith('.html') ? pageAnchors(readFileSync(path, 'utf8')) : new Set();
      anchorCache.set(path, anchors);
    }
    return anchors;
  };
  const pages = htmlFiles(site);
  const report: LinkReport = { pages: pages.length, links: 0, broken: [] };
  for (const page of pages) {
    const html = readFileSync(page, 'utf8');
    const pageName = relative(site, page).split(sep).join('/');
    for (const href of pageLinks(html)) {
      if (href === '' || href === '#' || EXTERNAL.test(href)) continue;
      report.links += 1;
      const hashAt = href.indexOf('#');
      const pathPart = (hashAt < 0 ? href : href.slice(0, hashAt)).split('?')[0] ?? '';
      const fragment = hashAt < 0 ? '' : href.slice(hashAt + 1);
      let target = page;
      if (pathPart !== '') {
        let decoded: string;
        try {
          decoded = decodeURIComponent(pathPart);
        } catch {
          report.broken.push({ page: pageName, href, reason: 'malformed percent-encoding' });
          continue;
        }
        target = decoded.startsWith('/') ? join(site, decoded) : resolve(dirname(page), decoded);
        if (existsSync(target) && statSync(target).isDirectory()) target = join(target, 'index.html');
        if (!target.startsWith(site + sep) && target !== site) {
          report.broken.push({ page: pageName, href, reason: 'points outside the site' });
          continue;
        }
        if (!existsSync(target)) {
          report.broken.push({
            page: pageName,
            href,
            reason: `no file ${relative(site, target).split(sep).join('/')}`,
          });
          continue;
        }
      }
      if (fragment !== '' && target.endsWith('.html')) {
        let id = fragment;
        try {
          id = decodeURIComponent(fragment);
        } catch {
          // keep the raw fragment
        }
        if (!anchorsOf(target).has(id)) {
          report.broken.push({ page: pageName, href, reason: `no element with id "${id}"` });
        }
      }
    }
  }
  return report;
}
