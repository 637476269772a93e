import type { AckOp, HistoryEvent, LeaseOp, NackOp, PollOp, ReadRecord } from '../history/types.js';
import { escapeHtml, truncate } from './escape-html.js';
import { formatMs } from './time-axis.js';

const valueMax = 40;
const recordsHead = 3;
const recordsTail = 2;
const keysMax = 6;

function record([offset, value]: ReadRecord): string {
  return `[${offset} ${truncate(value, valueMax)}]`;
}

/** The first and last few records of a poll: enough to see where it started, ended and jumped. */
export function describeRecords(records: readonly ReadRecord[]): string {
  const n = `${records.length} record${records.length === 1 ? '' : 's'}`;
  if (records.length === 0) return 'no records';
  if (records.length <= recordsHead + recordsTail) return `${n} ${records.map(record).join(' ')}`;
  const head = records.slice(0, recordsHead).map(record);
  const tail = records.slice(-recordsTail).map(record);
  return `${n} ${head.join(' ')} … ${tail.join(' ')}`;
}

function describePoll(op: PollOp): string {
  const from = `from ${op.from}`;
  return op.records === undefined ? from : `${from}: ${describeRecords(op.records)}`;
}

function describeLease(op: LeaseOp): string {
  const head = `for ${op.visibilityMs} ms`;
  if (op.leases === undefined) return head;
  const shown = op.leases
    .slice(0, recordsHead + recordsTail)
    .map((l) => `[${l.offset} ${truncate(l.value, valueMax)} lease ${l.leaseId} #${l.deliveryCount}]`);
  const more = op.leases.length > shown.length ? ` (+${op.leases.length - shown.length} more)` : '';
  return `${head}: ${op.leases.length === 0 ? 'nothing' : shown.join(' ')}${more}`;
}

function describeSettle(op: AckOp | NackOp): string {
  const shown = op.leases.slice(0, recordsHead + recordsTail).map((l, i) => {
    const outcome = op.outcomes?.[i];
    return `[${l.offset} ${truncate(l.value, valueMax)} lease ${l.leaseId}${outcome === undefined ? '' : ` ${outcome}`}]`;
  });
  const more = op.leases.length > shown.length ? ` (+${op.leases.length - shown.length} more)` : '';
  const delay = op.f === 'nack' ? ` after ${op.delayMs} ms` : '';
  return `${shown.join(' ')}${more}${delay}`;
}

/** What an event carries besides its type, in a line of plain text. */
export function describeOp(e: HistoryEvent): string {
  switch (e.f) {
    case 'send':
      return `${truncate(e.value, valueMax)}${e.offset === undefined ? '' : ` at offset ${e.offset}`}`;
    case 'poll':
      return describePoll(e);
    case 'assign': {
      const more = e.keys.length > keysMax ? ` (+${e.keys.length - keysMax} more)` : '';
      const keys = e.keys.slice(0, keysMax).join(', ');
      return `${keys}${more}${e.seekToBeginning ? ', from the beginning' : ''}`;
    }
    case 'fault':
      return `${e.phase} ${e.kind} on ${e.nodes.length === 0 ? 'the cluster' : `node ${e.nodes.join(', ')}`}: ${e.description}`;
    case 'leader':
      return `${e.leader === 0 ? 'no leader' : `node ${e.leader}`}${e.term === undefined ? '' : ` (term ${e.term})`}`;
    case 'phase':
      return e.phase;
    case 'enqueue':
      return `${truncate(e.value, valueMax)}${e.offset === undefined ? '' : ` at offset ${e.offset}`}`;
    case 'lease':
      return describeLease(e);
    case 'ack':
    case 'nack':
      return describeSettle(e);
  }
}

function keyOf(e: HistoryEvent): string {
  return 'key' in e ? e.key : '';
}

/** A table row for one event: index, time, process, type, f, key, details. */
export function opRow(e: HistoryEvent): string {
  const cells = [
    `#${e.index}`,
    formatMs(e.time),
    String(e.process),
    `<span class="type ${e.type}">${e.type}</span>`,
    e.f,
    escapeHtml(truncate(keyOf(e), valueMax)),
    escapeHtml(describeOp(e)),
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}
