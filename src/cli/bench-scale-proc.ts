import { readFileSync } from 'node:fs';

/** Linux reports utime and stime in USER_HZ, which is 100 on every architecture Node runs on. */
const ticksPerSecond = 100;

/** CPU time a process has used so far (user + system), in seconds; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, so 12 and 13 after the name and state.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / ticksPerSecond;
}

/** Resident set size in bytes; undefined once the process is gone. */
export function rssBytes(pid: number): number | undefined {
  const status = readProc(`/proc/${pid}/status`);
  const match = status === undefined ? null : /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}

/** The 1-minute load average, as `uptime` prints it. */
export function loadAverage1m(): number | undefined {
  const text = readProc('/proc/loadavg');
  const value = Number(text?.split(' ')[0]);
  return Number.isFinite(value) ? value : undefined;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
