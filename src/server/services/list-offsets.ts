import type { MessageInitShape } from '@bufbuild/protobuf';
import { RaftlogError } from '../../../lib/index.js';
import type { ListOffsetInput } from '../../../cluster/node/node-api.js';
import type {
  ListOffsetsPartition,
  ListOffsetsRequest,
  ListOffsetsResponseSchema,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { clientError, errorDetail } from './error-detail.js';
import {
  int64,
  isolationFromProto,
  nonNegativeFromInt64,
  offsetSpecFromProto,
  type Isolation,
} from './proto-mapping.js';
import type { ServiceDeps } from './service-deps.js';
import { checkTopicName } from './validate-request.js';

type Response = MessageInitShape<typeof ListOffsetsResponseSchema>;

type Answer = Response['offsets'] extends (infer A)[] | undefined ? A : never;

/**
 * ListOffsets: malformed lookups fail the call; a lookup the cluster refuses fails only its entry. A
 * partition may appear more than once (earliest and latest in one request); identical entries are
 * looked up once and answered in every place they were asked.
 */
export async function listOffsets(deps: ServiceDeps, request: ListOffsetsRequest): Promise<Response> {
  const { partitions } = request;
  const max = deps.limits.listOffsetsPartitionsMax;
  if (partitions.length === 0 || partitions.length > max) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `ListOffsets takes 1 to ${max} partitions, got ${partitions.length}`,
    );
  }
  const isolation = isolationFromProto(request.isolationLevel);
  const inputs = partitions.map((p) => lookup(p, isolation));
  const lookups = new Map<string, Promise<Answer>>();
  const offsets = await Promise.all(
    inputs.map((input) => {
      const key = lookupKey(input);
      let answer = lookups.get(key);
      if (answer === undefined) lookups.set(key, (answer = answerOne(deps, input)));
      return answer;
    }),
  );
  return { offsets };
}

async function answerOne(deps: ServiceDeps, input: ListOffsetInput): Promise<Answer> {
  const { topic, partition } = input;
  try {
    const found = await deps.api.listOffset(input);
    return { topic, partition, offset: int64(found.offset), timestampMs: int64(found.timestampMs) };
  } catch (error) {
    const failure = errorDetail(clientError(error, deps.logger, 'ListOffsets'));
    return { topic, partition, offset: -1n, error: failure };
  }
}

function lookupKey(input: ListOffsetInput): string {
  return JSON.stringify([input.topic, input.partition, input.spec, input.timestampMs, input.isolation]);
}

function lookup(p: ListOffsetsPartition, isolation: Isolation): ListOffsetInput {
  const spec = offsetSpecFromProto(p.spec);
  const timestampMs = spec === 'timestamp' ? nonNegativeFromInt64(p.timestampMs, 'timestamp_ms') : 0;
  return { topic: checkTopicName(p.topic), partition: p.partition, spec, timestampMs, isolation };
}
