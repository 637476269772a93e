import { describe, expect, it } from 'vitest';
import { deliverAtHeader, headersOf } from './deliver-at.js';

const text = new TextDecoder();

describe('headersOf', () => {
  it('keeps the headers as given without deliverAtMs', () => {
    expect(headersOf({ topic: 't', value: 'v' })).toBeUndefined();
    const headers = [{ key: 'a', value: null }];
    expect(headersOf({ topic: 't', value: 'v', headers })).toBe(headers);
  });

  it('adds the deliver-at header in decimal ms, replacing one already there', () => {
    const headers = headersOf({
      topic: 't',
      value: 'v',
      headers: [
        { key: 'a', value: null },
        { key: deliverAtHeader, value: new Uint8Array([49]) },
      ],
      deliverAtMs: 1_767_225_600_000,
    });
    expect(headers?.map((h) => [h.key, h.value === null ? null : text.decode(h.value)])).toEqual([
      ['a', null],
      ['raftlog-deliver-at-ms', '1767225600000'],
    ]);
  });

  it('refuses a time that is not a non-negative integer', () => {
    expect(() => headersOf({ topic: 't', value: 'v', deliverAtMs: 1.5 })).toThrow(/deliverAtMs/);
  });
});
