import type { Clock } from '../../lib/index.js';
import type { RaftGroup } from '../host/index.js';

/**
 * Resolves true once `holds()` is true, checked now and after every leader or role change of
 * `groups`, or false at `timeoutMs`. Listens to events instead of polling, and leaves no listener
 * or timer behind.
 */
export function waitForLeaderChange(
  groups: readonly Pick<RaftGroup, 'onLeaderChange'>[],
  clock: Pick<Clock, 'after'>,
  holds: () => boolean,
  timeoutMs: number,
): Promise<boolean> {
  if (holds()) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const finish = (outcome: boolean): void => {
      timer.cancel();
      for (const off of offs) off();
      resolve(outcome);
    };
    const offs = groups.map((g) =>
      g.onLeaderChange(() => {
        if (holds()) finish(true);
      }),
    );
    const timer = clock.after(timeoutMs, () => finish(holds()));
  });
}
