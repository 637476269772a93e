/** A fault in force: what it hit, in words for the report, and how to undo it. */
export interface FaultInForce {
  readonly nodes: readonly number[];
  readonly description: string;
  /** A fault that is a sequence of moves (a rolling restart, a storm) runs them here instead of being held. */
  readonly ongoing?: () => Promise<void>;
  /** Undoes the fault; may answer words for the report about how it went. */
  heal(): Promise<string | undefined>;
}

export const nothingToHeal = (): Promise<undefined> => Promise.resolve(undefined);
