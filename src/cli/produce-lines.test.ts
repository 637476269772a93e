import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import type { RecordAck } from '../client/index.js';
import { produceLines } from './produce-lines.js';

async function* linesOf(values: string[]): AsyncIterable<string> {
  yield* values;
}

describe('produceLines', () => {
  it('reports outcomes in input order even when acks arrive out of order', async () => {
    const out: string[] = [];
    const delays = [30, 5, 15, 0];
    let i = 0;
    const send = (value: string): Promise<RecordAck> => {
      const n = i++;
      return new Promise((resolve) =>
        setTimeout(() => resolve({ partition: n % 2, offset: Number(value) }), delays[n]),
      );
    };
    const result = await produceLines(linesOf(['10', '11', '12', '13']), send, {
      json: false,
      windowRecords: 100,
      out: (l) => out.push(l),
      err: () => undefined,
    });
    expect(out).toEqual(['0:10', '1:11', '0:12', '1:13']);
    expect(result).toEqual({ acked: 4, failed: 0 });
  });

  it('prints acks as they come, before the input ends', async () => {
    const out: string[] = [];
    let release!: () => void;
    const more = new Promise<void>((resolve) => (release = resolve));
    async function* slowInput(): AsyncIterable<string> {
      yield 'first';
      await more;
      yield 'second';
    }
    const done = produceLines(slowInput(), async () => ({ partition: 0, offset: out.length }), {
      json: true,
      windowRecords: 100,
      out: (l) => out.push(l),
      err: () => undefined,
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(out).toEqual(['{"partition":0,"offset":0}']);
    release();
    await done;
    expect(out).toHaveLength(2);
  });

  it('reports a failed record on err with its line number and counts it', async () => {
    const err: string[] = [];
    const send = async (v: string): Promise<RecordAck> => {
      if (v === 'bad') throw new RaftlogError('TOPIC_NOT_FOUND', 'topic t does not exist');
      return { partition: 0, offset: 0 };
    };
    const result = await produceLines(linesOf(['ok', 'bad', '']), send, {
      json: false,
      windowRecords: 100,
      out: () => undefined,
      err: (l) => err.push(l),
    });
    expect(err).toEqual(['raftlog: TOPIC_NOT_FOUND: line 2: topic t does not exist']);
    expect(result).toEqual({ acked: 2, failed: 1 });
  });

  it('never has more than windowRecords sends outstanding', async () => {
    let outstanding = 0;
    let most = 0;
    const send = async (): Promise<RecordAck> => {
      outstanding++;
      most = Math.max(most, outstanding);
      await new Promise((r) => setTimeout(r, 1));
      outstanding--;
      return { partition: 0, offset: 0 };
    };
    await produceLines(linesOf(Array.from({ length: 50 }, String)), send, {
      json: false,
      windowRecords: 4,
      out: () => undefined,
      err: () => undefined,
    });
    expect(most).toBeLessThanOrEqual(4);
  });
});
