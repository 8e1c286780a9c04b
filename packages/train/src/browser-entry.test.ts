/**
 * The browser entry (`browser.ts`, the `default` export condition) is the Node entry less what needs
 * Node: the same objects, and the callbacks that need only TF.js among them. That it bundles with no
 * Node built-in is checked by examples/web's browser-bundle test.
 */
import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';
import * as checkpoints from './checkpoint.js';
import * as node from './index.js';

describe('@tfzoo/train browser entry', () => {
  it('exports the same objects as the Node entry, less the Node-only callbacks', () => {
    const nodeExports = new Map(Object.entries(node));
    for (const [name, value] of Object.entries(browser)) expect(nodeExports.get(name)).toBe(value);
    const nodeOnly = Object.keys(node)
      .filter((name) => !(name in browser))
      .sort();
    expect(nodeOnly).toEqual(['MetricsLogger', 'ProgressBar', ...Object.keys(checkpoints)].sort());
  });

  it('has the callbacks that run anywhere', () => {
    expect(typeof browser.EarlyStopping).toBe('function');
    expect(typeof browser.EmaCallback).toBe('function');
    expect(typeof browser.UnfreezeAfter).toBe('function');
  });
});
