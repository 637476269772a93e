import type { NativeHeap } from '../obs/index.js';
import { fromGlibc } from './glibc-call.js';

interface Mallinfo2 {
  readonly uordblks: number | bigint;
  readonly fordblks: number | bigint;
  readonly hblkhd: number | bigint;
}

/**
 * glibc's own account of its heap through `mallinfo2()` (glibc 2.33 and later), or undefined where
 * there is none to ask (another C library, an older glibc, no FFI binding here).
 *
 * Why: RSS minus V8's heap, Buffers and RocksDB's memory is what the C libraries hold, and it grows
 * under load. Whether that is memory still in use (a leak in native code) or free space inside
 * glibc's arenas that it cannot return (fragmentation) needs the allocator's own figures. The call
 * walks every arena's free lists under their locks, so it runs at scrape time only.
 */
export function loadNativeHeap(glibc: boolean): Promise<(() => NativeHeap) | undefined> {
  return fromGlibc(glibc, (koffi, libc) => {
    // struct mallinfo2 of <malloc.h>, field for field.
    const struct = koffi.struct('raftlog_mallinfo2', {
      arena: 'size_t',
      ordblks: 'size_t',
      smblks: 'size_t',
      hblks: 'size_t',
      hblkhd: 'size_t',
      usmblks: 'size_t',
      fsmblks: 'size_t',
      uordblks: 'size_t',
      fordblks: 'size_t',
      keepcost: 'size_t',
    });
    const mallinfo2 = libc.func('mallinfo2', struct, []);
    return (): NativeHeap => {
      const m = mallinfo2() as Mallinfo2;
      return {
        inUseBytes: Number(m.uordblks),
        freeBytes: Number(m.fordblks),
        mmappedBytes: Number(m.hblkhd),
      };
    };
  });
}
