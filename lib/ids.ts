import { assertNonNegativeInteger } from './assert.js';

/**
 * Branded integers keep a term from being passed where an index is expected. They are plain numbers
 * at run time (safe integers: 2^53 is beyond any term, index or offset this broker will reach).
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type NodeId = Brand<number, 'NodeId'>;
export type GroupId = Brand<number, 'GroupId'>;
export type Term = Brand<number, 'Term'>;
export type LogIndex = Brand<number, 'LogIndex'>;
export type Offset = Brand<number, 'Offset'>;
export type PartitionId = Brand<number, 'PartitionId'>;
export type ProducerId = Brand<number, 'ProducerId'>;

function brandInteger<T extends number>(what: string) {
  return (value: number): T => {
    assertNonNegativeInteger(value, what);
    return value as T;
  };
}

export const nodeId = brandInteger<NodeId>('node id');
export const groupId = brandInteger<GroupId>('group id');
export const term = brandInteger<Term>('term');
export const logIndex = brandInteger<LogIndex>('log index');
export const offset = brandInteger<Offset>('offset');
export const partitionId = brandInteger<PartitionId>('partition id');
export const producerId = brandInteger<ProducerId>('producer id');
