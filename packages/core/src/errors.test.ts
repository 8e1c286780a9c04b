import { describe, expect, it } from 'vitest';
import { describeValue, invalidArgument, ZooError } from './errors.js';

describe('ZooError', () => {
  it('carries a code, the received value and the expectation', () => {
    const error = invalidArgument('numClasses', -3, 'a positive integer');
    expect(error).toBeInstanceOf(ZooError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.received).toBe(-3);
    expect(error.expected).toBe('a positive integer');
    expect(error.message).toBe('numClasses must be a positive integer; received -3');
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new ZooError('NETWORK', 'download failed', { cause }).cause).toBe(cause);
  });
});

describe('describeValue', () => {
  it('renders values unambiguously', () => {
    expect(describeValue('224')).toBe('"224"');
    expect(describeValue([224, 224])).toBe('[224,224]');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(new Float32Array(3))).toBe('Float32Array(3)');
    expect(describeValue({ a: 1n })).toBe('{"a":"1n"}');
    expect(describeValue('x'.repeat(500)).length).toBe(120);
  });

  it('never throws on cyclic objects', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
  });
});
