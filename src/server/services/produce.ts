import type { MessageInitShape } from '@bufbuild/protobuf';
import type { NodeApi, ProduceOutcome } from '../../../cluster/node/node-api.js';
import type { ProduceRequest, ProduceResponseSchema } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import type { ServiceLimits } from './limits.js';
import { acksToProto, int64 } from './proto-mapping.js';
import { validateProduce } from './validate-produce.js';

export type ProduceResponseInit = MessageInitShape<typeof ProduceResponseSchema>;

/** Validates and appends one batch; throws the RaftlogError of whichever step refused it. */
export async function produceOne(
  api: NodeApi,
  limits: ServiceLimits,
  request: ProduceRequest,
  signal: AbortSignal,
): Promise<ProduceResponseInit> {
  const input = validateProduce(request, limits);
  const outcome = await api.produce({ ...input, signal });
  return produceResponse(request, outcome);
}

export function produceResponse(
  request: Pick<ProduceRequest, 'topic' | 'partition'>,
  outcome: ProduceOutcome,
): ProduceResponseInit {
  return {
    topic: request.topic,
    partition: request.partition,
    baseOffset: int64(outcome.baseOffset),
    lastOffset: int64(outcome.lastOffset),
    logAppendTimeMs: int64(outcome.logAppendTimeMs),
    logStartOffset: int64(outcome.logStartOffset),
    acksAchieved: acksToProto(outcome.acksAchieved),
    replicasFsynced: outcome.replicasFsynced,
    replicasTotal: outcome.replicasTotal,
    duplicate: outcome.duplicate,
  };
}
