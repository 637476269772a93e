import { RaftlogError } from '../../../lib/index.js';
import type { CallContext, CallOptions, ServiceClient } from '../../../rpc/index.js';
import type { BrokerService } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { forwardedAuthHeaders } from '../auth/call-principal.js';
import type { ServiceDeps } from './service-deps.js';

/** Set on a group call one node forwards to the coordinator: the coordinator never forwards it again. */
export const forwardedHeader = 'raftlog-forwarded';
/** The client's own address, so the coordinator records where the member runs, not the forwarding node. */
export const clientHostHeader = 'raftlog-client-host';
/** A forwarded call without a client deadline gives up after this long. */
const forwardTimeoutMsDefault = 15_000;

function header(context: CallContext, name: string): string | undefined {
  const value = context.metadata.get(name)[0];
  return typeof value === 'string' ? value : undefined;
}

/** Where the member runs: the original client's host (without its port), whichever node it called. */
export function clientHost(context: CallContext): string {
  return header(context, clientHostHeader) ?? context.peer.replace(/^ipv[46]:/, '').replace(/:\d+$/, '');
}

/**
 * Runs a group call on the coordinator (the controller leader): here when this node is it, else
 * forwarded once over the coordinator's BrokerService, so clients may call any node. A call already
 * forwarded to a node that no longer coordinates answers NOT_COORDINATOR (retriable) instead of
 * travelling on.
 */
export async function onCoordinator<R>(
  deps: ServiceDeps,
  context: CallContext,
  local: () => R | Promise<R>,
  forward: (broker: ServiceClient<typeof BrokerService>, options: CallOptions) => Promise<R>,
): Promise<R> {
  const groups = deps.api.groups;
  if (groups.isCoordinator()) return local();
  if (header(context, forwardedHeader) !== undefined) {
    throw new RaftlogError('NOT_COORDINATOR', 'this node no longer coordinates groups; ask FindCoordinator');
  }
  const { address } = groups.coordinator();
  const limit = Number.isFinite(context.deadlineMs)
    ? { deadline: context.deadlineMs }
    : { timeoutMs: forwardTimeoutMsDefault };
  return forward(groups.broker(address), {
    ...limit,
    signal: context.signal,
    metadata: {
      [forwardedHeader]: '1',
      [clientHostHeader]: clientHost(context),
      // The coordinator authorizes the caller itself, as the caller, never as this node.
      ...forwardedAuthHeaders(context),
    },
  });
}
