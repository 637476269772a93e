import type { GroupId, NodeId } from '../../lib/index.js';
import { RawNode, type ConfChange, type Message, type RaftConfig } from '../../raft/index.js';

/**
 * A RawNode that says when anything but the host's own tick and ready cycle changed it: a message,
 * a proposal, a campaign, a transfer, a read. The host then looks at that group alone, instead of
 * asking every group whether it has work each cycle and re-examining every quiesced group each tick.
 * It is told before the call, so a call that throws is looked at too; the host looks only later.
 */
export class WatchedRawNode extends RawNode {
  constructor(
    config: RaftConfig,
    readonly groupId: GroupId,
    private readonly touched: (groupId: GroupId) => void,
  ) {
    super(config);
  }

  override campaign(): void {
    this.touched(this.groupId);
    super.campaign();
  }

  override propose(data: Uint8Array): ReturnType<RawNode['propose']> {
    this.touched(this.groupId);
    return super.propose(data);
  }

  override proposeConfChange(cc: ConfChange): ReturnType<RawNode['proposeConfChange']> {
    this.touched(this.groupId);
    return super.proposeConfChange(cc);
  }

  override step(message: Message): void {
    this.touched(this.groupId);
    super.step(message);
  }

  override transferLeader(to: NodeId): void {
    this.touched(this.groupId);
    super.transferLeader(to);
  }

  override readIndex(context: Uint8Array): void {
    this.touched(this.groupId);
    super.readIndex(context);
  }

  override forgetLeader(): void {
    this.touched(this.groupId);
    super.forgetLeader();
  }

  override reportUnreachable(peer: NodeId): void {
    this.touched(this.groupId);
    super.reportUnreachable(peer);
  }
}
