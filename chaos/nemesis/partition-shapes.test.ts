import { describe, expect, it } from 'vitest';
import { Prng } from '../../lib/index.js';
import type { Link } from '../cluster/index.js';
import { cutFor, partitionShapes } from './partition-shapes.js';

/** Which nodes each node can still reach directly once `links` are cut (both ways). */
function reachable(ids: readonly number[], links: readonly Link[]): Map<number, number[]> {
  const cut = new Set(links.map((l) => `${l.from}>${l.to}`));
  return new Map(ids.map((a) => [a, ids.filter((b) => b !== a && !cut.has(`${a}>${b}`))]));
}

describe('partition shapes', () => {
  const five = [1, 2, 3, 4, 5];

  it('isolates one node from every other, both ways', () => {
    const cut = cutFor('isolate-leader', five, new Prng(1), 3);
    expect(cut.nodes).toEqual([3]);
    const sees = reachable(five, cut.links);
    expect(sees.get(3)).toEqual([]);
    for (const id of [1, 2, 4, 5]) expect(sees.get(id)).toEqual(five.filter((x) => x !== id && x !== 3));
  });

  it('bisects into a minority and a majority that cannot talk', () => {
    const cut = cutFor('bisect', five, new Prng(2), 0);
    expect(cut.nodes).toHaveLength(2);
    const sees = reachable(five, cut.links);
    for (const id of cut.nodes) expect(sees.get(id)).toHaveLength(1);
  });

  it('makes a ring of overlapping majorities on five nodes: each sees exactly two others, no two the same pair', () => {
    const cut = cutFor('majorities-ring', five, new Prng(3), 0);
    const sees = reachable(five, cut.links);
    const views = five.map((id) => [id, ...sees.get(id)!].sort().join(','));
    for (const id of five) expect(sees.get(id)).toHaveLength(2);
    expect(new Set(views).size).toBe(5);
  });

  it('builds a bridge: the middle node sees everyone, the halves only it and their own side', () => {
    const cut = cutFor('bridge', five, new Prng(4), 0);
    const middle = cut.nodes[0]!;
    const sees = reachable(five, cut.links);
    expect(sees.get(middle)).toHaveLength(4);
    for (const id of five.filter((x) => x !== middle)) expect(sees.get(id)!.length).toBeLessThan(4);
  });

  it('cuts one way only: the muted node sends to nobody, everyone still sends to it', () => {
    const cut = cutFor('one-way', [1, 2, 3], new Prng(5), 0);
    expect(cut.direction).toBe('forward');
    const mute = cut.nodes[0]!;
    expect(cut.links.every((l) => l.from === mute)).toBe(true);
    expect(cut.links).toHaveLength(2);
  });

  it('is a function of the seed', () => {
    for (const shape of partitionShapes) {
      expect(cutFor(shape, five, new Prng(9), 2)).toEqual(cutFor(shape, five, new Prng(9), 2));
    }
  });
});
