import { describe, expect, it } from 'vitest';
import { CraftedHistory } from './crafted-history.js';
import { describeOp, describeRecords, opRow } from './describe-op.js';

describe('describeOp', () => {
  const h = new CraftedHistory();

  it('shows a send with its offset once acknowledged, cutting long values', () => {
    expect(describeOp(h.send(1, 0, 'invoke', 'k', 'v1'))).toBe('v1');
    expect(describeOp(h.send(2, 0, 'ok', 'k', 'v1', 17))).toBe('v1 at offset 17');
    expect(describeOp(h.send(3, 0, 'ok', 'k', 'x'.repeat(500), 18))).toBe(`${'x'.repeat(39)}… at offset 18`);
  });

  it('shows the first and last records of a long poll and how many there were', () => {
    const records = Array.from({ length: 100 }, (_, i): [number, string] => [i + 5, `v${i}`]);
    expect(describeRecords(records)).toBe('100 records [5 v0] [6 v1] [7 v2] … [103 v98] [104 v99]');
    expect(describeRecords(records.slice(0, 2))).toBe('2 records [5 v0] [6 v1]');
    expect(describeRecords([])).toBe('no records');
    expect(describeOp(h.poll(4, 5, 'invoke', 'k', 5))).toBe('from 5');
    expect(describeOp(h.poll(5, 5, 'ok', 'k', 5, records.slice(0, 1)))).toBe('from 5: 1 record [5 v0]');
  });

  it('lists a few assigned keys', () => {
    const keys = Array.from({ length: 9 }, (_, i) => `t/${i}`);
    expect(describeOp(h.assign(6, 5, 'invoke', keys))).toBe(
      't/0, t/1, t/2, t/3, t/4, t/5 (+3 more), from the beginning',
    );
  });

  it('describes the nemesis, the monitor and the runner', () => {
    expect(describeOp(h.fault(7, 'start', 'kill', [2], 'SIGKILL node 2'))).toBe(
      'start kill on node 2: SIGKILL node 2',
    );
    expect(describeOp(h.fault(8, 'start', 'transfer-storm', [], 'storm'))).toBe(
      'start transfer-storm on the cluster: storm',
    );
    expect(describeOp(h.leader(9, 'k', 3, 12))).toBe('node 3 (term 12)');
    expect(describeOp(h.leader(10, 'k', 0))).toBe('no leader');
    expect(describeOp(h.phase(11, 'drain'))).toBe('drain');
  });
});

describe('opRow', () => {
  it('escapes what the history carries', () => {
    const h = new CraftedHistory();
    const row = opRow(h.send(1234, 3, 'ok', '<k>', '<img src=x onerror=alert(1)>', 4));
    expect(row).not.toContain('<img');
    expect(row).not.toContain('<k>');
    expect(row).toContain('&lt;img src=x onerror=alert(1)&gt; at offset 4');
    expect(row).toContain('<td>1.234 s</td>');
    expect(row).toContain('<span class="type ok">ok</span>');
  });
});
