import type { Prng } from '../../lib/index.js';
import type { Link } from '../cluster/index.js';

export const partitionShapes = [
  'isolate-one',
  'isolate-leader',
  'bisect',
  'bridge',
  'majorities-ring',
  'one-way',
] as const;
export type PartitionShape = (typeof partitionShapes)[number];

export interface Cut {
  readonly links: readonly Link[];
  /** 'forward' drops only what each link's `from` sends: an asymmetric partition. */
  readonly direction: 'both' | 'forward';
  /** The nodes on the losing side, for the report. */
  readonly nodes: readonly number[];
  readonly description: string;
}

/** Every directed link between two nodes that cannot talk, both ways. */
function between(a: number, b: number): Link[] {
  return [
    { from: a, to: b },
    { from: b, to: a },
  ];
}

function separate(side: readonly number[], rest: readonly number[]): Link[] {
  return side.flatMap((a) => rest.flatMap((b) => between(a, b)));
}

/**
 * The links to cut for a partition shape over nodes `ids`. `leader` is the node to isolate for
 * isolate-leader (any node when unknown). Shapes follow Jepsen's: one node alone, a clean split
 * into a majority and a minority, a bridge (two halves that both see one middle node), overlapping
 * majorities in a ring (each node sees only its neighbours), and a one-way cut.
 */
export function cutFor(shape: PartitionShape, ids: readonly number[], prng: Prng, leader: number): Cut {
  const shuffled = prng.shuffle([...ids]);
  switch (shape) {
    case 'isolate-one':
    case 'isolate-leader': {
      const alone = shape === 'isolate-leader' && ids.includes(leader) ? leader : shuffled[0]!;
      const rest = ids.filter((id) => id !== alone);
      return {
        links: separate([alone], rest),
        direction: 'both',
        nodes: [alone],
        description: `isolate node ${alone}`,
      };
    }
    case 'bisect': {
      const minority = shuffled.slice(0, Math.floor((ids.length - 1) / 2) || 1);
      const majority = shuffled.filter((id) => !minority.includes(id));
      return {
        links: separate(minority, majority),
        direction: 'both',
        nodes: minority,
        description: `split {${minority.join(',')}} from {${majority.join(',')}}`,
      };
    }
    case 'bridge':
      return bridge(shuffled);
    case 'majorities-ring':
      return ring(shuffled);
    case 'one-way': {
      const mute = shuffled[0]!;
      const rest = ids.filter((id) => id !== mute);
      return {
        links: rest.map((to) => ({ from: mute, to })),
        direction: 'forward',
        nodes: [mute],
        description: `node ${mute} cannot send to the others, but hears them`,
      };
    }
  }
}

/** Two halves that cannot talk, both connected to the middle node. */
function bridge(order: readonly number[]): Cut {
  const middle = order[0]!;
  const others = order.slice(1);
  const left = others.slice(0, Math.ceil(others.length / 2));
  const right = others.slice(left.length);
  return {
    links: separate(left, right),
    direction: 'both',
    nodes: [middle],
    description: `bridge: {${left.join(',')}} and {${right.join(',')}} meet only through node ${middle}`,
  };
}

/** Each node keeps only its ring neighbours: every node sees a majority, no two the same one (5 nodes). */
function ring(order: readonly number[]): Cut {
  const n = order.length;
  const links: Link[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const distance = Math.min(j - i, n - (j - i));
      if (distance > 1) links.push(...between(order[i]!, order[j]!));
    }
  }
  return {
    links,
    direction: 'both',
    nodes: [],
    description: `majorities ring ${order.join('-')}-${order[0]}`,
  };
}
