import { Consumer, RaftlogClient } from '../../../src/client/index.js';

/**
 * Every value of `topic` visible at `isolation`, read with the TypeScript Consumer from the earliest
 * offset until nothing arrives for `idleMs`, in delivery order.
 */
export async function readTopicValues(
  bootstrap: string,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
  idleMs: number,
): Promise<string[]> {
  const client = new RaftlogClient({ bootstrap });
  const consumer = new Consumer(client, { isolation, from: 'earliest' });
  await consumer.assignTopic(topic, 'earliest');
  const values: string[] = [];
  const iterator = consumer[Symbol.asyncIterator]();
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), idleMs)));
    const next = await Promise.race([iterator.next(), idle]);
    clearTimeout(timer);
    if (next === 'idle' || next.done === true) break;
    values.push(new TextDecoder().decode(next.value.value ?? undefined));
  }
  await consumer.close();
  client.close();
  return values;
}
