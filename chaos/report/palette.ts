import type { FaultKind } from '../history/types.js';

/** Related faults share a hue family: network in oranges, processes in reds, disk in purples. */
const faultColors: Readonly<Record<FaultKind, string>> = {
  partition: '#e8590c',
  latency: '#f08c00',
  'client-leader-cut': '#8f5b2e',
  kill: '#c92a2a',
  pause: '#7048e8',
  'restart-rolling': '#d6336c',
  'transfer-storm': '#1971c2',
  membership: '#0c8599',
  'disk-bitflip': '#862e9c',
  'disk-truncate': '#a61e4d',
  'clock-skew': '#5c940d',
};

export function faultColor(kind: FaultKind): string {
  // A kind from a newer history than this report knows still gets drawn.
  return faultColors[kind] ?? '#868e96';
}

const nodeColors = ['#4c6ef5', '#12b886', '#fab005', '#f76707', '#be4bdb', '#15aabf', '#82c91e', '#e64980'];

/** A stable colour per node id, repeating after eight nodes. */
export function nodeColor(id: number): string {
  return nodeColors[(((id - 1) % nodeColors.length) + nodeColors.length) % nodeColors.length] ?? '#868e96';
}

export const seriesColors = {
  ok: '#2f9e44',
  info: '#f59f00',
  fail: '#e03131',
  p50: '#1c7ed6',
  p99: '#e8590c',
} as const;
