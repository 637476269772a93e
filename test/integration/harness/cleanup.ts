/**
 * Every node process the harness has started and not yet seen exit. If the test process ends without
 * the tests' own cleanup (a crash, a timeout the runner handles by exiting), they are SIGKILLed here.
 */
const live = new Set<number>();
let hooked = false;

export function trackPid(pid: number): void {
  live.add(pid);
  if (!hooked) {
    hooked = true;
    process.once('exit', killAllTracked);
  }
}

export function untrackPid(pid: number): void {
  live.delete(pid);
}

export function killAllTracked(): void {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}
