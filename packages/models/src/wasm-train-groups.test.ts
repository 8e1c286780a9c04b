import { listModels } from '@tfzoo/core';
import { describe, expect, it } from 'vitest';
import './index.js';
import { groupIds, WASM_TRAINING_GROUPS } from './test/wasm-training-step.js';

describe('the wasm training-step groups', () => {
  it('cover every registered architecture exactly once', () => {
    const grouped = Object.keys(WASM_TRAINING_GROUPS).flatMap(groupIds).sort();
    expect(grouped).toEqual(listModels());
    expect(grouped.length).toBeGreaterThanOrEqual(68);
  });
});
