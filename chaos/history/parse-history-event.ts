import { queueOpProblem } from './queue-op-problem.js';
import type { HistoryEvent } from './types.js';

const opTypes = new Set(['invoke', 'ok', 'fail', 'info']);
const faultKinds = new Set([
  'partition',
  'kill',
  'pause',
  'restart-rolling',
  'transfer-storm',
  'membership',
  'disk-bitflip',
  'disk-truncate',
  'clock-skew',
  'latency',
  'client-leader-cut',
]);
const phases = new Set(['faults', 'heal', 'drain', 'done']);

type Fields = Record<string, unknown>;

/**
 * Checks one decoded JSONL line against the history format, so that a hand-edited or truncated
 * history fails here with its line number instead of producing a misleading verdict later.
 */
export function parseHistoryEvent(value: unknown, line: number): HistoryEvent {
  const problem = eventProblem(value);
  if (problem !== undefined) throw new Error(`history line ${line}: ${problem}`);
  return value as HistoryEvent;
}

function eventProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const e = value as Fields;
  if (!isCount(e['index'])) return 'index must be a non-negative integer';
  if (typeof e['time'] !== 'number' || !Number.isFinite(e['time'])) return 'time must be a number';
  if (!Number.isSafeInteger(e['process'])) return 'process must be an integer';
  if (typeof e['type'] !== 'string' || !opTypes.has(e['type'])) return `unknown type ${String(e['type'])}`;
  switch (e['f']) {
    case 'send':
      return sendProblem(e);
    case 'poll':
      return pollProblem(e);
    case 'assign':
      return assignProblem(e);
    case 'enqueue':
    case 'lease':
    case 'ack':
    case 'nack':
      return queueOpProblem(e);
    case 'fault':
      return faultProblem(e);
    case 'leader':
      return leaderProblem(e);
    case 'phase':
      return phases.has(e['phase'] as string) ? undefined : `unknown phase ${String(e['phase'])}`;
    default:
      return `unknown f ${String(e['f'])}`;
  }
}

function sendProblem(e: Fields): string | undefined {
  if (typeof e['key'] !== 'string') return 'send needs a key';
  if (typeof e['value'] !== 'string') return 'send needs a string value';
  if (e['offset'] !== undefined && !isCount(e['offset'])) return 'send offset must be a non-negative integer';
  return undefined;
}

function pollProblem(e: Fields): string | undefined {
  if (typeof e['key'] !== 'string') return 'poll needs a key';
  if (!isCount(e['from'])) return 'poll from must be a non-negative integer';
  const records = e['records'];
  if (records === undefined) return undefined;
  if (!Array.isArray(records)) return 'poll records must be an array';
  const bad = records.findIndex(
    (r: unknown) => !Array.isArray(r) || r.length !== 2 || !isCount(r[0]) || typeof r[1] !== 'string',
  );
  return bad < 0 ? undefined : `poll record ${bad} must be [offset, value]`;
}

function assignProblem(e: Fields): string | undefined {
  if (!isStringArray(e['keys'])) return 'assign needs keys';
  return typeof e['seekToBeginning'] === 'boolean' ? undefined : 'assign needs seekToBeginning';
}

function faultProblem(e: Fields): string | undefined {
  if (e['phase'] !== 'start' && e['phase'] !== 'end') return 'fault phase must be start or end';
  if (!faultKinds.has(e['kind'] as string)) return `unknown fault kind ${String(e['kind'])}`;
  if (!Array.isArray(e['nodes']) || !e['nodes'].every(isCount)) return 'fault nodes must be node ids';
  return typeof e['description'] === 'string' ? undefined : 'fault needs a description';
}

function leaderProblem(e: Fields): string | undefined {
  if (typeof e['key'] !== 'string') return 'leader needs a key';
  if (!isCount(e['leader'])) return 'leader must be a node id or 0';
  return e['term'] === undefined || isCount(e['term']) ? undefined : 'term must be a non-negative integer';
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((k) => typeof k === 'string');
}
