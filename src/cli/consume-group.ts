import { RaftlogError } from '../../lib/index.js';
import type { ConsumerRecord, StartPosition } from '../client/index.js';
import type { CliContext, CliSession } from './cli-context.js';
import { consumeRecords } from './consume-records.js';

export interface GroupConsumeFlags {
  readonly group: string;
  readonly from: StartPosition;
  readonly max?: number;
  readonly timeoutMs?: number;
}

/**
 * `consume TOPIC --group G`: joins the group, prints records, and before it exits (a limit, the end,
 * or SIGINT/SIGTERM) commits the position after the last record it printed in each partition and
 * leaves, so the next run resumes right after what this one printed.
 */
export async function consumeInGroup(
  ctx: CliContext,
  session: CliSession,
  topic: string,
  flags: GroupConsumeFlags,
  print: (record: ConsumerRecord) => void,
): Promise<void> {
  if (session.groups === undefined)
    throw new RaftlogError('UNIMPLEMENTED', 'this session has no consumer groups');
  if (typeof flags.from === 'number') {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      '--from with --group is earliest|latest (where a partition without a committed offset starts)',
    );
  }
  const consumer = session.groups.consumer({
    groupId: flags.group,
    topics: [topic],
    autoOffsetReset: flags.from,
    clientId: 'raftlog-cli',
  });
  const interrupted = new AbortController();
  const off = ctx.io.onInterrupt?.(() => interrupted.abort());
  let finished = false;
  try {
    await consumer.join();
    await consumeRecords(
      consumer,
      {
        ...(flags.max === undefined ? {} : { max: flags.max }),
        ...(flags.timeoutMs === undefined ? {} : { idleTimeoutMs: flags.timeoutMs }),
        signal: interrupted.signal,
      },
      (record) => {
        print(record);
        consumer.markProcessed(record);
      },
    );
    finished = true;
  } finally {
    off?.();
    // After a failure the records printed are still committed: they were shown.
    await consumer.close({ commit: true }).catch((error: unknown) => {
      if (finished) throw error;
    });
  }
}
