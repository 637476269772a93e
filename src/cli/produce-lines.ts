import type { RecordAck } from '../client/index.js';
import { formatAck } from './output-format.js';
import { toCliError } from './cli-error.js';

export interface ProduceLinesOptions {
  readonly json: boolean;
  /** Records sent but not yet reported before reading more input waits. */
  readonly windowRecords: number;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface ProduceLinesResult {
  readonly acked: number;
  readonly failed: number;
}

type Outcome = { ok: true; ack: RecordAck } | { ok: false; error: unknown };

/**
 * Sends each input line as a record as soon as it is read (the producer batches by linger) and
 * reports outcomes in input order as they arrive: acks on `out`, failures on `err` naming the line.
 * At most windowRecords are outstanding, so a fast stdin cannot queue without bound.
 */
export async function produceLines(
  lines: AsyncIterable<string>,
  send: (value: string) => Promise<RecordAck>,
  options: ProduceLinesOptions,
): Promise<ProduceLinesResult> {
  let acked = 0;
  let failed = 0;
  let reported: Promise<void> = Promise.resolve();
  const outstanding: Promise<void>[] = [];
  let lineNumber = 0;
  for await (const raw of lines) {
    const n = ++lineNumber;
    const outcome: Promise<Outcome> = send(raw.endsWith('\r') ? raw.slice(0, -1) : raw).then(
      (ack) => ({ ok: true, ack }),
      (error: unknown) => ({ ok: false, error }),
    );
    reported = reported.then(async () => {
      const o = await outcome;
      if (o.ok) {
        acked++;
        options.out(formatAck(o.ack, options.json));
      } else {
        failed++;
        const e = toCliError(o.error);
        options.err(`raftlog: ${e.code}: line ${n}: ${e.message}`);
      }
    });
    outstanding.push(reported);
    if (outstanding.length >= options.windowRecords) await outstanding.shift();
  }
  await reported;
  return { acked, failed };
}
