import { RaftlogError } from './raftlog-error.js';

/**
 * Replicated data of a kind or format this version does not know: a later version wrote it (a Raft
 * entry of a new command type, a snapshot of a new layout). Skipping it would leave this replica's
 * state different from the replicas that applied it, so a node meeting one stops and says to upgrade.
 */
export class NewerFormatError extends RaftlogError {
  override readonly name = 'NewerFormatError';
  constructor(readonly what: string) {
    super(
      'CORRUPT_MESSAGE',
      `${what}: written by a newer version of raftlog than this node's; upgrade this node`,
    );
  }

  /** The same error, saying where the data was met (a group and a log index). */
  at(place: string): NewerFormatError {
    return new NewerFormatError(`${place}: ${this.what}`);
  }
}
