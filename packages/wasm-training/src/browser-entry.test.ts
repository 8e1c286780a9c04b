/**
 * The browser entry (`browser.ts`, the `default` export condition) is the Node entry less Node's
 * thread loader and the Winograd convolution's helper threads: the same objects. (What importing it installs: `browser-install.test.ts`, alone in
 * its file so that the Node entry is not imported beside it.)
 */
import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';
import * as node from './index.js';
import * as threads from './threads.js';
import * as winogradThreads from './winograd-threads.js';

describe('@tfzoo/wasm-training browser entry', () => {
  it('exports the same objects as the Node entry, less the thread loader and helper threads', () => {
    const nodeExports = new Map(Object.entries(node));
    for (const [name, value] of Object.entries(browser)) expect(nodeExports.get(name)).toBe(value);
    const nodeOnly = Object.keys(node)
      .filter((name) => !(name in browser))
      .sort();
    expect(nodeOnly).toEqual([...Object.keys(threads), ...Object.keys(winogradThreads)].sort());
  });
});
