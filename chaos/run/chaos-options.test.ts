import { describe, expect, it } from 'vitest';
import { kindsOf } from './chaos-options.js';

describe('fault kinds against an external cluster', () => {
  it('keeps only what needs no node process, and refuses a scenario left empty', () => {
    expect(kindsOf('all', true)).toEqual(['partition', 'transfer-storm', 'membership', 'latency']);
    expect(kindsOf('network', true)).toEqual(['partition', 'latency']);
    expect(kindsOf('all', false)).toContain('kill');
    expect(() => kindsOf('kill', true)).toThrow(/needs the nodes' processes/);
  });
});
