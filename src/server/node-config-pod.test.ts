import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { loadNodeConfig } from './node-config.js';

const peers = '1=raftlog-0.peers:9091,2=raftlog-1.peers:9091,3=raftlog-2.peers:9091';
const base = { listen: '0.0.0.0:9091', peers, dataDir: '/var/lib/raftlog' };

describe('node configuration inside a StatefulSet pod', () => {
  it('takes the node id from the pod ordinal, from a flag or RAFTLOG_ID_FROM_POD_NAME', () => {
    expect(loadNodeConfig({ ...base, idFromPodName: 'raftlog-0' }, {}).id).toBe(1);
    expect(loadNodeConfig(base, { RAFTLOG_ID_FROM_POD_NAME: 'raftlog-2' }).id).toBe(3);
    expect(loadNodeConfig({ ...base, idFromPodName: 'my-raftlog-1', id: '2' }, {}).id).toBe(2);
  });

  it('refuses a name without an ordinal and an id that disagrees with it', () => {
    const problems = (settings: Record<string, string>): string => {
      try {
        loadNodeConfig({ ...base, ...settings }, {});
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(RaftlogError);
        return (error as Error).message;
      }
    };
    expect(problems({ idFromPodName: 'raftlog' })).toContain('ending in -ORDINAL');
    expect(problems({ idFromPodName: 'raftlog-1', id: '3' })).toContain('disagrees with idFromPodName');
  });

  it('takes a peers list without this node as seeds: a pod added by scaling up joins through them', () => {
    const config = loadNodeConfig({ ...base, idFromPodName: 'raftlog-5' }, {});
    expect(config.id).toBe(6);
    expect(config.peers.has(6)).toBe(false);
  });

  it('reads host aliases from RAFTLOG_HOST_ALIASES and names a malformed one', () => {
    const config = loadNodeConfig(
      { ...base, id: '1' },
      { RAFTLOG_HOST_ALIASES: 'raftlog-0.peers=127.0.0.2,raftlog-1.peers=127.0.0.3' },
    );
    expect([...config.hostAliases]).toEqual([
      ['raftlog-0.peers', '127.0.0.2'],
      ['raftlog-1.peers', '127.0.0.3'],
    ]);
    expect(() => loadNodeConfig({ ...base, id: '1', hostAliases: 'raftlog-0.peers' }, {})).toThrow(
      'hostAliases: "raftlog-0.peers" is not NAME=IP',
    );
  });
});
