import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../lib/index.js';
import { applyAll, registerNodes } from '../controller/test-helpers.js';
import { PeerDirectory } from './peer-directory.js';

const id = (n: number): NodeId => n as NodeId;

describe('PeerDirectory', () => {
  it('starts from the seeds and adds each registered node once at its peer address, keeping a seed address', () => {
    const learned: number[] = [];
    const dir = new PeerDirectory(new Map([[id(1), 'seed-1:9091']]), (n) => learned.push(n));
    const { state } = applyAll([
      ...registerNodes(3),
      { type: 'create-topic', name: 't', partitions: 1, replicationFactor: 1, config: {} },
    ]);
    dir.learnFrom(state);
    dir.learnFrom(state);
    expect(learned).toEqual([2, 3]);
    expect([...dir.addresses]).toEqual([
      [1, 'seed-1:9091'],
      [2, '127.0.0.2:8000'],
      [3, '127.0.0.3:8000'],
    ]);
  });

  it('never learns a removed node', () => {
    const dir = new PeerDirectory(new Map(), () => undefined);
    const { state } = applyAll([
      ...registerNodes(3),
      { type: 'decommission-node', nodeId: 3 },
      { type: 'finish-node-removal', nodeId: 3 },
    ]);
    dir.learnFrom(state);
    expect([...dir.addresses.keys()]).toEqual([1, 2]);
  });
});
