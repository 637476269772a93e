import { RaftlogError } from '../../lib/index.js';
import type { AclRule as Rule, QuotaRecord } from '../../cluster/controller/index.js';
import {
  AclOperation,
  PatternType,
  ResourceType,
  type AclRule,
  type Quota,
} from '../../proto/gen/raftlog/v1/security_pb.js';

const resourceTypes: Record<Rule['resourceType'], ResourceType> = {
  topic: ResourceType.TOPIC,
  group: ResourceType.GROUP,
  'transactional-id': ResourceType.TRANSACTIONAL_ID,
  cluster: ResourceType.CLUSTER,
};
const operations: Record<Rule['operation'], AclOperation> = {
  produce: AclOperation.PRODUCE,
  consume: AclOperation.CONSUME,
  describe: AclOperation.DESCRIBE,
  alter: AclOperation.ALTER,
  admin: AclOperation.ADMIN,
};

function reverse<K extends string>(map: Record<K, number>, value: number, what: string): K {
  const found = (Object.keys(map) as K[]).find((k) => map[k] === value);
  if (found === undefined) throw new RaftlogError('INVALID_ARGUMENT', `${what} is required`);
  return found;
}

/** Shapes only; the controller judges names and principals in apply. */
export function aclRuleFromProto(r: AclRule): Rule {
  return {
    principal: r.principal,
    resourceType: reverse(resourceTypes, r.resourceType, 'resource_type'),
    resourceName: r.resourceName,
    patternType: r.patternType === PatternType.PREFIX ? 'prefix' : 'literal',
    operation: reverse(operations, r.operation, 'operation'),
  };
}

export const aclRuleToProto = (r: Rule) => ({
  principal: r.principal,
  resourceType: resourceTypes[r.resourceType],
  resourceName: r.resourceName,
  patternType: r.patternType === 'prefix' ? PatternType.PREFIX : PatternType.LITERAL,
  operation: operations[r.operation],
});

export const quotaToProto = (q: QuotaRecord) => ({
  principal: q.principal,
  produceBytesPerSec: BigInt(q.produceBytesPerSec),
  fetchBytesPerSec: BigInt(q.fetchBytesPerSec),
});

export function quotaFromProto(q: Quota | undefined): QuotaRecord {
  if (q === undefined) throw new RaftlogError('INVALID_ARGUMENT', 'quota is required');
  const rate = (v: bigint, what: string): number => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new RaftlogError('INVALID_ARGUMENT', `${what} is too large`);
    return Number(v);
  };
  return {
    principal: q.principal,
    produceBytesPerSec: rate(q.produceBytesPerSec, 'produce_bytes_per_sec'),
    fetchBytesPerSec: rate(q.fetchBytesPerSec, 'fetch_bytes_per_sec'),
  };
}
