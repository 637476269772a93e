import { describe, expect, it } from 'vitest';
import { defaultPeerAddress, peerAdvertiseAddress } from './peer-address.js';

describe('peer addresses', () => {
  it('defaults the peer port to the client port plus 1000', () => {
    expect(defaultPeerAddress('127.0.0.1:9091')).toBe('127.0.0.1:10091');
    expect(defaultPeerAddress('127.0.0.1:0')).toBe('127.0.0.1:0');
  });

  it("registers the node's own --peers entry, else its peer listener with the advertised host for a wildcard", () => {
    const base = { id: 4, peers: new Map([[1, 'a:10091']]), advertise: 'pod-3.svc:9091' };
    expect(peerAdvertiseAddress({ ...base, peerListen: '0.0.0.0:10091' })).toBe('pod-3.svc:10091');
    expect(peerAdvertiseAddress({ ...base, peerListen: '[::]:7000' })).toBe('pod-3.svc:7000');
    expect(peerAdvertiseAddress({ ...base, peerListen: '127.0.0.5:7000' })).toBe('127.0.0.5:7000');
    const listed = { ...base, peers: new Map([[4, 'pod-3.headless:10091']]) };
    expect(peerAdvertiseAddress({ ...listed, peerListen: '0.0.0.0:10091' })).toBe('pod-3.headless:10091');
  });
});
