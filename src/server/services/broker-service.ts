import type { ServiceImpl } from '../../../rpc/index.js';
import type { BrokerService } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { fetch } from './fetch.js';
import { fetchRecords, fetchRecordsStream } from './fetch-records.js';
import { fetchStream } from './fetch-stream.js';
import { groupHandlers } from './groups.js';
import { initProducer } from './init-producer.js';
import { listOffsets } from './list-offsets.js';
import { metadata } from './metadata.js';
import { produceOne } from './produce.js';
import { ProduceForwarder } from './produce-forwarder.js';
import { produceRecords } from './produce-records.js';
import { produceStream } from './produce-stream.js';
import type { ServiceDeps } from './service-deps.js';
import type { DataPathApi } from '../../obs/index.js';
import { meteredApi } from './metered-api.js';
import { queueHandlers } from './queues.js';
import { brokerTxnHandlers } from './txn-handlers.js';

/**
 * BrokerService: produce and fetch (batches and decoded records), offsets, metadata, producer ids,
 * transactions, consumer groups and queues.
 */
export function brokerService(deps: ServiceDeps): ServiceImpl<typeof BrokerService> {
  const forwarder = new ProduceForwarder(deps.limits.forwardChannelsMax);
  const roundRobin = { next: 0 };
  const as = (api: DataPathApi): ServiceDeps =>
    deps.meter === undefined ? deps : { ...deps, api: meteredApi(deps.api, deps.meter, api) };
  const [produceDeps, produceStreamDeps, produceRecordsDeps] = [
    as('produce'),
    as('produce_stream'),
    as('produce_records'),
  ];
  const [fetchDeps, fetchStreamDeps, fetchRecordsDeps, fetchRecordsStreamDeps] = [
    as('fetch'),
    as('fetch_stream'),
    as('fetch_records'),
    as('fetch_records_stream'),
  ];
  return {
    produce: (request, context) => produceOne(produceDeps.api, deps.limits, request, context.signal),
    produceStream: (requests, context) =>
      deps.streams.bounded(context, () => produceStream(produceStreamDeps, requests, context)),
    fetch: (request, context) => fetch(fetchDeps, request, context),
    fetchStream: (request, context) =>
      deps.streams.bounded(context, () => fetchStream(fetchStreamDeps, request, context)),
    listOffsets: (request) => listOffsets(deps, request),
    metadata: (request) => Promise.resolve().then(() => metadata(deps, request)),
    initProducer: (request) => initProducer(deps.api, request),
    produceRecords: (request, context) =>
      produceRecords(produceRecordsDeps, forwarder, roundRobin, request, context),
    fetchRecords: (request, context) => fetchRecords(fetchRecordsDeps, request, context),
    fetchRecordsStream: (request, context) =>
      deps.streams.bounded(context, () => fetchRecordsStream(fetchRecordsStreamDeps, request, context)),
    ...groupHandlers(deps),
    ...brokerTxnHandlers(deps),
    ...queueHandlers(deps, forwarder),
  };
}
