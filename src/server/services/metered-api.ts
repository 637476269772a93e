import { countRecords } from '../../../lib/index.js';
import type { FetchInput, NodeApi, ProduceInput } from '../../../cluster/node/node-api.js';
import type { DataPathApi, DataPathMeter } from '../../obs/index.js';

/**
 * The node's API as one client API sees it: produce and fetch report records, bytes and time to the
 * meter under that API's label; every other member is the node's own. Built once per API, not per call.
 */
export function meteredApi(api: NodeApi, meter: DataPathMeter, label: DataPathApi): NodeApi {
  const produce = async (input: ProduceInput) => {
    const started = performance.now();
    const outcome = await api.produce(input);
    if (!outcome.duplicate) {
      const seconds = (performance.now() - started) / 1000;
      meter.produced(label, countRecords(input.batch), input.batch.byteLength, seconds);
    }
    return outcome;
  };
  const fetch = async (input: FetchInput) => {
    const started = performance.now();
    const outcome = await api.fetch(input);
    const seconds = (performance.now() - started) / 1000;
    meter.fetched(label, countRecords(outcome.records), outcome.records.byteLength, seconds);
    return outcome;
  };
  return new Proxy(api, {
    get(target, key) {
      if (key === 'produce') return produce;
      if (key === 'fetch') return fetch;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
