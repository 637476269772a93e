import { anomalyNames, type CheckResult, type QueueSummary, type SettleCounts } from '../checker/types.js';
import type { FaultKind } from '../history/types.js';
import { escapeHtml } from './escape-html.js';
import { faultColor } from './palette.js';
import { formatDuration } from './time-axis.js';
import type { ReportInput } from './types.js';

const count = new Intl.NumberFormat('en-US');

/** The command line that replays a run with the same seed, when the runner did not give its own. */
export function replayCommand(input: ReportInput): string {
  return (
    input.command ??
    `npm run chaos -- --scenario ${input.scenario} --nodes ${input.nodes} --duration ${input.durationS} --seed ${input.seed}`
  );
}

export function headerSection(input: ReportInput, recordedMs: number): string {
  const { result } = input;
  const verdict = result.valid ? 'VALID' : 'INVALID';
  const facts = [
    ['scenario', input.scenario],
    ['seed', String(input.seed)],
    ['nodes', String(input.nodes)],
    ['duration', `${input.durationS} s of faults, ${formatDuration(recordedMs)} recorded`],
    ['started', input.startedAt],
  ]
    .map(([k, v]) => `<div><dt>${k}</dt><dd>${escapeHtml(v ?? '')}</dd></div>`)
    .join('');
  return (
    `<header class="head ${result.valid ? 'valid' : 'invalid'}"><div class="verdict" id="verdict">${verdict}</div>` +
    `<div class="facts"><h1>raftlog chaos run</h1><dl>${facts}</dl></div></header>` +
    `<p class="replay">Replay: <code>${escapeHtml(replayCommand(input))}</code></p>` +
    `<section class="stats">${stats(result)}</section>`
  );
}

function stat(title: string, body: string, cls = 'stat'): string {
  return `<div class="${cls}"><h3>${title}</h3><div>${body}</div></div>`;
}

function stats(result: CheckResult): string {
  const ops = result.operations;
  const latency = result.sendLatencyMs;
  return [
    stat(
      'Operations',
      `ok ${count.format(ops.ok)} · fail ${count.format(ops.fail)} · info ${count.format(ops.info)}`,
    ),
    stat('Faults', faultChips(result.faults), 'stat two'),
    stat('Failover', failover(result)),
    stat(
      'Send latency',
      latency === undefined
        ? 'no acknowledged send'
        : `p50 ${latency.p50} ms · p99 ${latency.p99} ms · max ${latency.max} ms`,
    ),
    stat('Unavailable', unavailability(result)),
    ...(result.queue === undefined ? [] : [stat('Queue', queueStats(result.queue), 'stat wide')]),
    stat('Anomalies', anomalyChips(result), 'stat wide'),
  ].join('');
}

function queueStats(q: QueueSummary): string {
  const histogram = Object.entries(q.deliveriesPerMessage)
    .map(([n, messages]) => `${count.format(messages)}×${n}`)
    .join(' ');
  const settle = (s: SettleCounts): string => `ok ${s.ok} · failed ${s.failed} · unknown ${s.unknown}`;
  return (
    `enqueued ok ${count.format(q.enqueued.ok)} · deliveries ${count.format(q.deliveries)} ` +
    `(redeliveries ${count.format(q.redeliveries)}; messages×deliveries ${histogram || 'none'}) · ` +
    `acks ${settle(q.acks)} · nacks ${settle(q.nacks)} · ack unknown ${q.ackUnknown}`
  );
}

function failover(result: CheckResult): string {
  if (result.failovers.length === 0) return '<span class="zero">no fault measured</span>';
  return `p50 ${Math.round(result.failoverMs.p50)} ms · max ${Math.round(result.failoverMs.max)} ms`;
}

function faultChips(faults: CheckResult['faults']): string {
  const entries = Object.entries(faults).filter((e): e is [FaultKind, number] => e[1] !== undefined);
  if (entries.length === 0) return '<span class="zero">none</span>';
  return entries
    .map(
      ([kind, n]) =>
        `<span class="chip"><span class="swatch" style="background:${faultColor(kind)}"></span>${escapeHtml(kind)} ${n}</span>`,
    )
    .join(' ');
}

function anomalyChips(result: CheckResult): string {
  return anomalyNames
    .map((name) => {
      const n = result.anomalyCounts[name];
      return `<span class="chip ${n > 0 ? 'bad' : 'zero'}">${name} ${n}</span>`;
    })
    .join(' ');
}

function unavailability(result: CheckResult): string {
  const windows = result.unavailability;
  if (windows.length === 0) return 'never';
  const lengths = windows.map((u) => u.toMs - u.fromMs);
  const total = lengths.reduce((a, b) => a + b, 0);
  const plural = windows.length === 1 ? 'window' : 'windows';
  return `${windows.length} ${plural}, ${formatDuration(total)} in all, longest ${formatDuration(lengths.reduce((a, b) => Math.max(a, b), 0))}`;
}
