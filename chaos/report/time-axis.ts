/** Tick steps in seconds that read naturally on a clock. */
const steps = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
];

/** Ticks from 0 to `endS` at the finest readable step giving at most `maxTicks` intervals. */
export function timeTicks(endS: number, maxTicks: number): number[] {
  const end = endS > 0 ? endS : 1;
  const step =
    steps.find((s) => end / s <= maxTicks) ?? 86400 * Math.ceil(end / 86400 / Math.max(1, maxTicks));
  const ticks: number[] = [];
  for (let i = 0; i * step <= end + 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Seconds as "42 s" in short runs, as a clock ("1:05:00", "12:30") in long ones. */
export function formatSeconds(s: number, endS: number): string {
  if (endS < 600) return `${Number(s.toPrecision(12))} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(sec)}` : `${m}:${pad2(sec)}`;
}

/** Milliseconds since the start as "12.345 s", for tables and tooltips. */
export function formatMs(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** A duration for humans: "850 ms", "4.2 s", "3 min 20 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
