import { describe, expect, it } from 'vitest';
import { RaftlogClient } from './raftlog-client.js';

describe('RaftlogClient', () => {
  it('refuses a topic name no topic can have as INVALID_TOPIC_NAME, before asking any node', async () => {
    // Nothing listens at the bootstrap address: an answer that came from a node would be UNAVAILABLE.
    const client = new RaftlogClient({ bootstrap: '127.0.0.1:1', metadataTimeoutMs: 100 });
    try {
      for (const name of ['bad topic!', '', '..', 'x'.repeat(250)])
        await expect(client.partitionCount(name)).rejects.toMatchObject({ code: 'INVALID_TOPIC_NAME' });
      await expect(client.partitionCount('fine-name')).rejects.not.toMatchObject({
        code: 'INVALID_TOPIC_NAME',
      });
    } finally {
      client.close();
    }
  });
});
