import { assert } from '../../lib/index.js';

/** WebAssembly memory comes in pages of 64 KiB, mapped on its own and so aligned to one. */
const wasmPageBytes = 64 * 1024;

/** The part of WebAssembly's API used here (TypeScript declares it only with the DOM's types). */
interface WasmMemoryConstructor {
  new (descriptor: { initial: number; maximum: number }): { readonly buffer: ArrayBuffer };
}
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryConstructor } }).WebAssembly
  .Memory;

/**
 * A fixed set of equal staging buffers whose memory starts on a page boundary, as writes with
 * O_DIRECT require (JavaScript cannot ask where a Buffer lies; WebAssembly memory is its own
 * mapping, so every page of it is aligned). Lent out one at a time; a borrower waits when all are
 * out. The last buffer returned is lent next, so the pages a steady writer touches stay few.
 */
export class AlignedBuffers {
  private readonly free: Buffer[] = [];
  private readonly waiting: ((buffer: Buffer) => void)[] = [];

  constructor(
    readonly bufferBytes: number,
    count: number,
  ) {
    assert(bufferBytes > 0 && bufferBytes % wasmPageBytes === 0, 'bufferBytes must be a multiple of 64 KiB');
    assert(count > 0, 'count must be positive');
    const pages = (bufferBytes / wasmPageBytes) * count;
    const memory = new WasmMemory({ initial: pages, maximum: pages });
    for (let i = count - 1; i >= 0; i--)
      this.free.push(Buffer.from(memory.buffer, i * bufferBytes, bufferBytes));
  }

  acquire(): Promise<Buffer> {
    const buffer = this.free.pop();
    if (buffer !== undefined) return Promise.resolve(buffer);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(buffer: Buffer): void {
    assert(buffer.byteLength === this.bufferBytes, 'not one of these buffers');
    const next = this.waiting.shift();
    if (next !== undefined) next(buffer);
    else this.free.push(buffer);
  }
}
