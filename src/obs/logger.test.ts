import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, jsonSafe } from './logger.js';

describe('logger', () => {
  it('makes bigint and bytes JSON-safe', () => {
    const safe = jsonSafe({ offset: 2n ** 60n, data: new Uint8Array(3), nested: [{ id: 1n }] });
    expect(JSON.parse(JSON.stringify(safe))).toEqual({
      offset: '1152921504606846976',
      data: { bytes: 3 },
      nested: [{ id: '1' }],
    });
  });

  it('writes JSON lines with the safe formatter', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ formatters: { log: (f) => jsonSafe(f) as Record<string, unknown> } }, sink);
    log.info({ offset: 2n ** 60n }, 'hello');
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line['offset']).toBe('1152921504606846976');
    expect(line['msg']).toBe('hello');
  });

  it('creates a non-pretty logger without a terminal', () => {
    const log = createLogger({ pretty: false, level: 'warn', base: { node: 1 } });
    expect(log.level).toBe('warn');
  });
});
