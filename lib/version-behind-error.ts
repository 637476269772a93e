import { RaftlogError } from './raftlog-error.js';

/**
 * The cluster activated a version above this node's logical version: every other node may already
 * write data of that version, which this build cannot read. The node stops instead of running until
 * it meets such data, and says to upgrade it.
 */
export class VersionBehindError extends RaftlogError {
  override readonly name = 'VersionBehindError';
  constructor(
    readonly logicalVersion: number,
    readonly activeVersion: number,
  ) {
    super(
      'UNAVAILABLE',
      `the cluster's active version is ${activeVersion}, this node's build reads up to version ${logicalVersion}; run a build of version ${activeVersion} or later on this node`,
    );
  }
}
