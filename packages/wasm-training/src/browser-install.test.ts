/**
 * Importing the browser entry alone installs what the Node entry does, less the thread loader
 * (vitest runs each file in a fresh worker: nothing else has imported the package here).
 */
import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';

describe('@tfzoo/wasm-training browser entry, imported alone', () => {
  it('has installed the lean layers and the in-place updates (each installer reports it already was)', () => {
    expect(browser.installLeanBatchNormTraining()).toBe(false);
    expect(browser.installLeanDenseTraining()).toBe(false);
    expect(browser.installLeanStemConvTraining()).toBe(false);
    expect(browser.installInPlaceVariableUpdates()).toBe(false);
  });
});
