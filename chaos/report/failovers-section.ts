import type { CheckResult, Failover } from '../checker/types.js';
import type { HistoryEvent } from '../history/types.js';
import { escapeHtml, truncate } from './escape-html.js';
import { faultColor } from './palette.js';
import { formatMs } from './time-axis.js';

export const failoversMax = 300;

interface FaultStart {
  readonly time: number;
  readonly description: string;
}

function faultStarts(history: readonly HistoryEvent[], wanted: ReadonlySet<number>): Map<number, FaultStart> {
  const found = new Map<number, FaultStart>();
  for (const e of history) if (e.f === 'fault' && wanted.has(e.index)) found.set(e.index, e);
  return found;
}

/** Each fault with the time until a send was acknowledged again, with a bar against the worst. */
export function failoversSection(result: CheckResult, history: readonly HistoryEvent[]): string {
  const failovers = result.failovers.slice(0, failoversMax);
  if (failovers.length === 0)
    return '<section><h2>Failovers</h2><p class="none">No faults measured.</p></section>';
  const starts = faultStarts(history, new Set(failovers.map((f) => f.faultIndex)));
  const worst = Math.max(1, ...failovers.map((f) => f.ms));
  const rows = [...failovers]
    .sort((a, b) => (starts.get(a.faultIndex)?.time ?? 0) - (starts.get(b.faultIndex)?.time ?? 0))
    .map((f) => row(f, starts.get(f.faultIndex), worst))
    .join('');
  const more =
    result.failovers.length > failoversMax
      ? `<p class="none">The first ${failoversMax} of ${result.failovers.length} are listed.</p>`
      : '';
  return (
    '<section><h2>Failovers</h2><p class="hint">From a fault taking effect to the next acknowledged send.</p>' +
    '<table class="failovers"><thead><tr><th>fault</th><th>kind</th><th>what</th><th>at</th>' +
    `<th class="num">failover</th><th></th></tr></thead><tbody>${rows}</tbody></table>${more}</section>`
  );
}

function row(f: Failover, start: FaultStart | undefined, worst: number): string {
  const width = Math.max(1, Math.round((f.ms / worst) * 240));
  return (
    `<tr><td>#${f.faultIndex}</td>` +
    `<td><span class="swatch" style="background:${faultColor(f.kind)}"></span>${escapeHtml(f.kind)}</td>` +
    `<td>${escapeHtml(truncate(start?.description ?? '', 120))}</td>` +
    `<td>${start === undefined ? '' : formatMs(start.time)}</td>` +
    `<td class="num">${Math.round(f.ms)} ms</td>` +
    `<td><span class="bar" style="width:${width}px;background:${faultColor(f.kind)}"></span></td></tr>`
  );
}
