import { anomalyNames, type Anomaly, type AnomalyName, type CheckResult } from '../checker/types.js';
import type { HistoryEvent } from '../history/types.js';
import { opRow } from './describe-op.js';
import { escapeHtml, truncate } from './escape-html.js';

/** Bounds the page however many anomalies a broken build produces; the counts stay exact. */
export const anomaliesPerName = 20;
export const opsPerAnomaly = 12;
const messageMax = 400;

/** The operations listed for an anomaly, in history order. */
function listedOps(a: Anomaly): number[] {
  return [...a.ops].sort((x, y) => x - y).slice(0, opsPerAnomaly);
}

/** The events the listed anomalies refer to, found in one pass over a possibly long history. */
function involvedEvents(
  anomalies: readonly Anomaly[],
  history: readonly HistoryEvent[],
): Map<number, HistoryEvent> {
  const wanted = new Set(anomalies.flatMap(listedOps));
  const found = new Map<number, HistoryEvent>();
  for (const e of history) if (wanted.has(e.index)) found.set(e.index, e);
  return found;
}

export function anomaliesSection(result: CheckResult, history: readonly HistoryEvent[]): string {
  const total = anomalyNames.reduce((n, name) => n + result.anomalyCounts[name], 0);
  if (total === 0 && result.anomalies.length === 0) {
    return '<section><h2>Anomalies</h2><p class="none">None found.</p></section>';
  }
  const shown = anomalyNames.flatMap((name) =>
    result.anomalies.filter((a) => a.name === name).slice(0, anomaliesPerName),
  );
  const events = involvedEvents(shown, history);
  const rows = anomalyNames.map((name) => rowsFor(name, shown, result.anomalyCounts[name], events)).join('');
  return (
    '<section><h2>Anomalies</h2><table class="anomalies"><thead><tr><th>anomaly</th><th>key</th>' +
    `<th>what was seen</th><th>operations involved</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function rowsFor(
  name: AnomalyName,
  shown: readonly Anomaly[],
  count: number,
  events: ReadonlyMap<number, HistoryEvent>,
): string {
  const mine = shown.filter((a) => a.name === name);
  const rows = mine.map((a) => anomalyRow(a, events)).join('');
  const rest = count - mine.length;
  const more =
    rest > 0
      ? `<tr class="more"><td colspan="4">… and ${rest} more ${escapeHtml(name)} (counted, not listed)</td></tr>`
      : '';
  return rows + more;
}

function anomalyRow(a: Anomaly, events: ReadonlyMap<number, HistoryEvent>): string {
  const ops = listedOps(a).map((i) => {
    const e = events.get(i);
    return e === undefined ? `<tr><td>#${i}</td><td colspan="6">not in the history</td></tr>` : opRow(e);
  });
  const more =
    a.ops.length > opsPerAnomaly
      ? `<tr class="more"><td colspan="7">… and ${a.ops.length - opsPerAnomaly} more operations</td></tr>`
      : '';
  return (
    `<tr><td><span class="badge bad">${escapeHtml(a.name)}</span></td><td><code>${escapeHtml(a.key)}</code></td>` +
    `<td>${escapeHtml(truncate(a.message, messageMax))}</td>` +
    `<td><table class="ops"><tbody>${ops.join('')}${more}</tbody></table></td></tr>`
  );
}
