import { describe, expect, it } from 'vitest';
import { setNodeHeapGrowth } from './heap-growth.js';

describe('setNodeHeapGrowth', () => {
  it('leaves a growth given on the command line alone', () => {
    expect(setNodeHeapGrowth(['--heap-growing-percent=50'])).toBe(false);
  });

  it('sets its own otherwise', () => {
    expect(setNodeHeapGrowth(['--enable-source-maps'])).toBe(true);
  });
});
