import type { Entry, Snapshot } from '../../raft/index.js';
import { VersionBehindError, type GroupId } from '../../lib/index.js';
import {
  applyControllerEntry,
  controllerGroupIdValue,
  decodeControllerSnapshot,
  encodeControllerSnapshot,
  initialControllerState,
  nodeLogicalVersion,
  type ControllerResult,
  type ControllerState,
} from '../controller/index.js';
import type { GroupStateMachine } from '../host/index.js';

/** The controller's Raft group id on every node. */
export const controllerGroup = controllerGroupIdValue as GroupId;

/** The controller group's state machine on this node: cluster metadata, and who wants to hear of changes. */
export class ControllerReplica implements GroupStateMachine {
  readonly blocked = false;
  private current: ControllerState = initialControllerState();
  private changed = false;
  private readonly listeners = new Set<(state: ControllerState) => void>();
  private readonly appliedListeners = new Set<(index: number) => void>();
  private notifiedIndex = 0;

  /** `logicalVersion`: what this node's build reads; a state whose active version is higher stops it. */
  constructor(readonly logicalVersion: number = nodeLogicalVersion) {}

  get state(): ControllerState {
    return this.current;
  }

  apply(entry: Entry): ControllerResult {
    const outcome = applyControllerEntry(this.current, entry.data, entry.index);
    this.requireReadable(outcome.state);
    this.current = outcome.state;
    this.changed = true;
    return outcome.result;
  }

  skip(index: number): void {
    this.current = { ...this.current, appliedIndex: index };
  }

  restore(snapshot: Snapshot): void {
    const state = decodeControllerSnapshot(snapshot.data);
    this.requireReadable(state);
    this.current = state;
    this.changed = true;
  }

  /**
   * Met at start (a snapshot or the log this node restores) or while running (a raise it applies):
   * either way the other nodes may already write what this build cannot read.
   */
  private requireReadable(state: ControllerState): void {
    if (state.activeVersion > this.logicalVersion)
      throw new VersionBehindError(this.logicalVersion, state.activeVersion);
  }

  snapshotData(): Uint8Array {
    return encodeControllerSnapshot(this.current);
  }

  afterApply(): void {
    const index = this.current.appliedIndex;
    if (this.changed) {
      this.changed = false;
      for (const l of this.listeners) l(this.current);
    }
    // Entries that change no state (conf changes, empty entries) still move the applied index.
    if (index === this.notifiedIndex) return;
    this.notifiedIndex = index;
    for (const l of this.appliedListeners) l(index);
  }

  /**
   * Tells the listeners of the state a restart restored. A replica loaded from a snapshot with no
   * entries after it applies nothing when its group starts, so no apply would announce that state:
   * the reconciler would start none of this node's partition groups and the peer directory would not
   * learn the nodes that joined since the seeds until the next controller command.
   */
  announce(): void {
    this.changed = true;
    this.afterApply();
  }

  /** `listener` hears the applied index after each apply that moved it; returns its remover. */
  onApplied(listener: (index: number) => void): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  /** Returns the function that removes the listener again. */
  onChange(listener: (state: ControllerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
