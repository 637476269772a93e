import { applyControllerCommand, initialControllerState } from './apply-controller-command.js';
import type { ControllerCommand, ControllerResult, ControllerState } from './controller-types.js';

/** Applies commands at consecutive indexes with timestamps 1000 ms apart; returns the last result. */
export function applyAll(
  commands: readonly ControllerCommand[],
  state: ControllerState = initialControllerState(),
): { state: ControllerState; results: ControllerResult[] } {
  const results: ControllerResult[] = [];
  for (const command of commands) {
    const index = state.appliedIndex + 1;
    const out = applyControllerCommand(state, command, { index, timestampMs: 1_000_000 + index * 1000 });
    state = out.state;
    results.push(out.result);
  }
  return { state, results };
}

export function registerNodes(count: number): ControllerCommand[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'register-node' as const,
    nodeId: i + 1,
    address: `127.0.0.${i + 1}:7000`,
    peerAddress: `127.0.0.${i + 1}:8000`,
  }));
}

export function lastResult(results: readonly ControllerResult[]): ControllerResult {
  const last = results.at(-1);
  if (last === undefined) throw new Error('no results');
  return last;
}
