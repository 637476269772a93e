import { afterEach, describe, expect, it } from 'vitest';
import { dialTarget, parseHostAliases, setHostAliases } from './host-aliases.js';

describe('host aliases', () => {
  afterEach(() => setHostAliases(new Map()));

  it('dials an aliased name at its address and keeps the name as authority', () => {
    setHostAliases(parseHostAliases('raftlog-0.peers.ns.svc.cluster.local=127.0.0.2', []));
    expect(dialTarget('raftlog-0.peers.ns.svc.cluster.local:9091')).toEqual({
      target: '127.0.0.2:9091',
      authority: 'raftlog-0.peers.ns.svc.cluster.local:9091',
    });
    expect(dialTarget('RAFTLOG-0.peers.ns.svc.cluster.local:9091').target).toBe('127.0.0.2:9091');
  });

  it('leaves other addresses alone', () => {
    setHostAliases(parseHostAliases('a=127.0.0.2', []));
    expect(dialTarget('b:9091')).toEqual({ target: 'b:9091', authority: undefined });
    expect(dialTarget('127.0.0.1:9091').target).toBe('127.0.0.1:9091');
  });

  it('names every malformed entry', () => {
    const problems: string[] = [];
    const map = parseHostAliases('a=127.0.0.2, b=not-an-ip ,c', problems);
    expect(map.get('a')).toBe('127.0.0.2');
    expect(problems).toHaveLength(2);
  });
});
