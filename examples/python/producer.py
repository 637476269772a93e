"""Idempotent producer: writes COUNT records round robin over a topic's partitions.

--api records sends decoded records (ProduceRecords); --api batch encodes RecordBatches itself
(Produce). Either way each partition's requests carry the producer id, epoch and the next sequence,
so a request resent after a leader change is deduplicated by the partition, never written twice.
"""

import argparse
import json
import sys
import time

from raftlog_batch import encode_batch
from raftlog_client import Cluster, broker_pb2
from raftlog.v1 import record_pb2


def main():
    args = parse_args()
    cluster = Cluster(args.bootstrap)
    cluster.ensure_topic(args.topic, args.partitions)
    partitions = cluster.partitions(args.topic)
    init = cluster.call(args.topic, partitions[0], lambda s: s.InitProducer(broker_pb2.InitProducerRequest(), timeout=10))
    sequences = {p: 0 for p in partitions}
    started = time.monotonic()
    pending = {p: [] for p in partitions}
    for i in range(args.count):
        p = partitions[i % len(partitions)]
        value = ("%s-%d" % (args.prefix, i)).encode()
        pending[p].append(value + b" " * max(0, args.value_bytes - len(value)))
        if len(pending[p]) == args.batch_size or i == args.count - 1:
            send(cluster, args, init, p, sequences[p], pending[p])
            sequences[p] += len(pending[p])
            pending[p] = []
        if (i + 1) % 100 == 0:
            print("progress %d" % (i + 1), file=sys.stderr, flush=True)
    for p, values in pending.items():
        if values:
            send(cluster, args, init, p, sequences[p], values)
    seconds = time.monotonic() - started
    print(json.dumps({"produced": args.count, "producer_id": init.producer_id, "seconds": round(seconds, 2),
                      "records_per_s": round(args.count / seconds)}), flush=True)


def send(cluster, args, init, partition, sequence, values):
    if args.api == "records":
        request = broker_pb2.ProduceRecordsRequest(
            topic=args.topic,
            partition=partition,
            records=[record_pb2.Record(value=v) for v in values],
            producer_id=init.producer_id,
            producer_epoch=init.producer_epoch,
            base_sequence=sequence,
        )
        return cluster.call(args.topic, partition, lambda s: s.ProduceRecords(request, timeout=10))
    batch = encode_batch(
        [(None, v, []) for v in values],
        int(time.time() * 1000),
        producer_id=init.producer_id,
        producer_epoch=init.producer_epoch,
        base_sequence=sequence,
    )
    request = broker_pb2.ProduceRequest(topic=args.topic, partition=partition, batch=batch)
    return cluster.call(args.topic, partition, lambda s: s.Produce(request, timeout=10))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9091,127.0.0.1:9092,127.0.0.1:9093", help="comma-separated host:port list")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, default=3, help="when the topic is created")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=10, help="records per request")
    parser.add_argument("--api", choices=["records", "batch"], default="records")
    parser.add_argument("--prefix", default="record", help="values are PREFIX-0, PREFIX-1, ...")
    parser.add_argument("--value-bytes", type=int, default=0, help="pad values with spaces to this size")
    return parser.parse_args()


if __name__ == "__main__":
    main()
