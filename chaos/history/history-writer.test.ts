import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryWriter } from './history-writer.js';
import { readHistory } from './read-history.js';
import type { UnstampedEvent } from './history-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raftlog-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One event of every kind, as the workloads, the nemesis, the monitor and the runner write them. */
const events: UnstampedEvent[] = [
  { process: -3, type: 'info', f: 'phase', phase: 'faults' },
  { process: -2, type: 'info', f: 'leader', key: 't/0', leader: 2, term: 3 },
  { process: 1, type: 'invoke', f: 'send', key: 't/0', value: 'v0' },
  { process: 1, type: 'ok', f: 'send', key: 't/0', value: 'v0', offset: 0 },
  { process: 5, type: 'invoke', f: 'assign', keys: ['t/0', 't/1'], seekToBeginning: true },
  { process: 5, type: 'ok', f: 'assign', keys: ['t/0', 't/1'], seekToBeginning: true },
  { process: 5, type: 'invoke', f: 'poll', key: 't/0', from: 0 },
  { process: 5, type: 'ok', f: 'poll', key: 't/0', from: 0, records: [[0, 'v0']] },
  {
    process: -1,
    type: 'info',
    f: 'fault',
    phase: 'start',
    kind: 'kill',
    nodes: [2],
    description: 'kill node 2',
  },
];

function steppingClock(stepMs: number): () => number {
  let now = 1000;
  return () => (now += stepMs);
}

describe('HistoryWriter and readHistory', () => {
  it('stamps dense indices and times from the first reading, and reads back what it wrote', async () => {
    const path = join(dir, 'history.jsonl');
    const writer = await HistoryWriter.open(path, { clock: steppingClock(2.5) });
    const stamped = events.map((e) => writer.append(e));
    await writer.close();
    expect(stamped.map((e) => [e.index, e.time])).toEqual(events.map((_, i) => [i, 2.5 * (i + 1)]));
    expect(await readHistory(path)).toEqual(stamped);
    expect(writer.count).toBe(events.length);
  });

  it('holds back new operations while its buffer is over the limit, until it is written', async () => {
    const path = join(dir, 'history.jsonl');
    const writer = await HistoryWriter.open(path, { bufferBytesMax: 10 });
    await writer.ready();
    for (const e of events.slice(0, 3)) writer.append(e);
    await writer.ready();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    await writer.close();
  });

  it('refuses events after close', async () => {
    const writer = await HistoryWriter.open(join(dir, 'history.jsonl'));
    await writer.close();
    expect(() => writer.append(events[0]!)).toThrow(/closed/);
  });

  it('names the line that is not JSON', async () => {
    const path = join(dir, 'history.jsonl');
    await writeFile(
      path,
      '{"index":0,"time":0,"process":-3,"type":"info","f":"phase","phase":"done"}\n{"index":1,\n',
    );
    await expect(readHistory(path)).rejects.toThrow(/history line 2: not JSON/);
  });

  it('names the line that breaks the format, and what is wrong with it', async () => {
    const path = join(dir, 'history.jsonl');
    const bad = [
      ['{"index":0,"time":0,"process":1,"type":"ok","f":"send","key":"k"}', 'string value'],
      [
        '{"index":0,"time":0,"process":1,"type":"ok","f":"poll","key":"k","from":0,"records":[[0]]}',
        'record 0',
      ],
      ['{"index":0,"time":0,"process":1,"type":"done","f":"send","key":"k","value":"v"}', 'unknown type'],
      ['{"index":-1,"time":0,"process":-3,"type":"info","f":"phase","phase":"done"}', 'index'],
      [
        '{"index":0,"time":0,"process":-1,"type":"info","f":"fault","phase":"start","kind":"meteor","nodes":[],"description":""}',
        'fault kind',
      ],
    ];
    for (const [line, problem] of bad) {
      await writeFile(path, `\n${line}\n`);
      await expect(readHistory(path)).rejects.toThrow(`history line 2: `);
      await expect(readHistory(path)).rejects.toThrow(problem);
    }
  });
});
