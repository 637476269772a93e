import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection, in percent.
 * Under load a node promotes many buffers that live for a commit round (produce batches, Raft
 * entries, cached log entries); each one's memory is outside the JavaScript heap but counts toward
 * V8's next full collection, and with the default factor a partition leader ran one every 100–200 ms,
 * marking its whole ~26 MB heap each time: concurrent marking took about a quarter of the machine's
 * CPU under `raftlog bench produce`. At 200 (a limit of three times the live heap) it runs about once
 * per 50,000 records. The heap's limit rises from about 50 to 80 MB; RSS by about 20 MiB.
 */
export const heapGrowingPercent = 200;

/** Sets the growth unless the process was started with its own `--heap-growing-percent`. */
export function setNodeHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return false;
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
  return true;
}
