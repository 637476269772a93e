"""Reads every partition of a topic from the start and prints each value on its own line.

--api records reads decoded records (FetchRecords); --api batch fetches stored RecordBatches (Fetch)
and decodes them itself. It follows leader changes, and stops after --expect records or after
--idle-s seconds without a new one.
"""

import argparse
import sys
import time

from raftlog_batch import decode_batches
from raftlog_client import Cluster, broker_pb2


def main():
    args = parse_args()
    cluster = Cluster(args.bootstrap)
    partitions = cluster.partitions(args.topic)
    offsets = {p: 0 for p in partitions}
    seen = 0
    last_new = time.monotonic()
    while seen < args.expect and time.monotonic() - last_new < args.idle_s:
        for p in partitions:
            values, offsets[p] = read(cluster, args, p, offsets[p])
            for v in values:
                print(v.decode().rstrip(" "), flush=False)
            if values:
                seen += len(values)
                last_new = time.monotonic()
    sys.stdout.flush()
    print("read %d records" % seen, file=sys.stderr)


def read(cluster, args, partition, offset):
    if args.api == "records":
        request = broker_pb2.FetchRecordsRequest(
            topic=args.topic, partition=partition, offset=offset, max_wait_ms=100
        )
        response = cluster.call(args.topic, partition, lambda s: s.FetchRecords(request, timeout=10))
        return [r.record.value for r in response.records], response.next_offset
    request = broker_pb2.FetchRequest(
        partitions=[broker_pb2.FetchPartition(topic=args.topic, partition=partition, offset=offset)],
        max_wait_ms=100,
    )
    response = cluster.call(args.topic, partition, lambda s: s.Fetch(request, timeout=10))
    fetched = response.partitions[0]
    if fetched.HasField("error"):
        # Per-partition errors travel in the response: follow a leader change, fail on the rest.
        if not fetched.error.retriable:
            raise RuntimeError("fetch of partition %d failed: %s" % (partition, fetched.error.message))
        cluster.leaders.pop(partition, None)
        if fetched.error.leader_hint:
            cluster.leaders[partition] = fetched.error.leader_hint
        return [], offset
    values = [value for at, _ts, _key, value, _h, _info in decode_batches(fetched.records) if at >= offset]
    return values, max(offset, fetched.next_offset)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9091,127.0.0.1:9092,127.0.0.1:9093", help="comma-separated host:port list")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--api", choices=["records", "batch"], default="records")
    parser.add_argument("--expect", type=int, default=1 << 62, help="stop after this many records")
    parser.add_argument("--idle-s", type=float, default=5.0, help="stop after this long without a record")
    return parser.parse_args()


if __name__ == "__main__":
    main()
