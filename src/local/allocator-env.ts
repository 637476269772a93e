/**
 * glibc malloc settings every node process gets. Left to itself glibc raises its mmap threshold
 * each time a large block is freed, so the node's large, short-lived buffers (gRPC frames, RocksDB
 * write batches) move into the main heap, which fragments and only grows: measured with 1 KiB
 * produce on 3 nodes, RSS 230 MiB per node after 500k records and still rising, 157 MiB with a fixed
 * threshold (main heap 103 → 28 MiB). A fixed threshold keeps the blocks above it in their own
 * mappings, returned on free; two arenas bound the per-thread pools of RocksDB's and libuv's threads.
 * The threshold is 1 MiB, not lower: at 128 KiB every produce batch and Raft entry (about 512 KiB
 * under load) was its own mapping, and the page faults, zeroing and unmapping that cost took a third
 * of the throughput (6.5k against 10.4k records/s, 1 KiB records, 3 replicas); at 1 MiB RSS stayed at
 * 195–228 MiB per node over 1M records, flat. Measured again at 50k records/s
 * (test/bench/results/README.md, "node memory over 20 minutes"): 256 KiB keeps the main heap flat and
 * RSS 30–45 MiB lower, for 5–18% of the throughput.
 * Ignored by other allocators (musl).
 */
export const nodeAllocatorEnv: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '1048576',
  MALLOC_ARENA_MAX: '2',
};

/** The node's environment: the allocator defaults, overridden by the parent's, then the spec's own. */
export function nodeProcessEnv(
  parent: NodeJS.ProcessEnv,
  spec: Readonly<Record<string, string>> | undefined,
): NodeJS.ProcessEnv {
  return { ...nodeAllocatorEnv, ...parent, ...spec };
}
