import type { LatencySummary } from '../bench-runner.js';

/** A column: its header and how a row's cell reads. */
export interface Column<Row> {
  readonly header: string;
  readonly cell: (row: Row) => string;
}

/** Fixed-width text, right-aligned after the first column, so figures line up for the eye. */
export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.cell(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The latency columns every bench table shows, after whatever names the row. */
export function latencyColumns<Row>(latency: (row: Row) => LatencySummary): Column<Row>[] {
  const ms = (pick: (s: LatencySummary) => number) => (row: Row) => formatMs(pick(latency(row)));
  return [
    { header: 'p50 ms', cell: ms((s) => s.p50Ms) },
    { header: 'p90 ms', cell: ms((s) => s.p90Ms) },
    { header: 'p99 ms', cell: ms((s) => s.p99Ms) },
    { header: 'p99.9 ms', cell: ms((s) => s.p999Ms) },
    { header: 'max ms', cell: ms((s) => s.maxMs) },
  ];
}

/** Three significant figures, at most three decimals: 0.412, 4.12, 41.2, 412. */
export function formatMs(ms: number): string {
  if (ms >= 100) return Math.round(ms).toString();
  return Number(ms.toPrecision(3)).toString();
}

/** Thousands separated: 12,345. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
