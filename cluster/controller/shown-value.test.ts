import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { shownValue } from './shown-value.js';

describe('shownValue', () => {
  it('prints primitives and short arrays of them as String would', () => {
    expect(shownValue('c-3')).toBe('c-3');
    expect(shownValue(7)).toBe('7');
    expect(shownValue(null)).toBe('null');
    expect(shownValue(undefined)).toBe('undefined');
    expect(shownValue([1, 2, 3])).toBe('1,2,3');
  });

  it('summarises what String would throw on or print at length', () => {
    expect(shownValue([{ toString: false }])).toBe('an array of 1');
    expect(shownValue({ toString: false, valueOf: false })).toBe('an object');
    expect(shownValue(Object.create(null))).toBe('an object');
    expect(shownValue(Symbol('s'))).toBe('symbol');
    expect(shownValue('x'.repeat(1000))).toBe(`${'x'.repeat(64)}…`);
    expect(shownValue(Array.from({ length: 100 }, (_, i) => i))).toBe('an array of 100');
  });

  it('never throws, whatever JSON or a generator hands it', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (value) => {
        expect(typeof shownValue(value)).toBe('string');
      }),
    );
  });
});
