import { constants } from 'node:fs';
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { assert, CorruptionError, RaftlogError } from '../../lib/index.js';
import { AlignedBuffers } from './aligned-buffers.js';
import { alignUp } from './align-up.js';
import type { SegmentFiles } from './segment-files.js';

const suffix = '.entries';
const idDigits = 16;
/** Offsets and lengths of O_DIRECT writes: a multiple of any disk's logical block. */
const directBlockBytes = 4096;
const stagingBufferBytes = 1024 * 1024;
/** Writes to different segments (or from batches committing together) staged at once. */
const stagingBuffersMax = 4;

export interface FsSegmentFilesOptions {
  /**
   * Write with O_DIRECT where the file system allows it (default): the data goes from an aligned
   * staging buffer to the disk, not through the page cache. Reads stay buffered.
   */
  readonly directIo?: boolean;
}

interface Handle {
  /** Buffered: reads and syncs. */
  readonly file: FileHandle;
  /** O_DIRECT, opened with the first write. */
  direct: Promise<FileHandle> | undefined;
  users: number;
  removed: boolean;
}

function failure(what: string, cause: unknown): RaftlogError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new RaftlogError('INTERNAL', `entry file ${what} failed: ${message}`, { cause });
}

/**
 * Segment files in one directory (`0000000000000001.entries`, …). One handle per segment, shared by
 * writes and reads; a removed segment's handle closes when its last read ends, so a read that began
 * before the removal still completes (the open handle keeps the unlinked file).
 *
 * Where the file system takes O_DIRECT, writes bypass the page cache (as Redpanda's do): copying
 * each write into fresh page-cache pages cost more system time than the whole write does directly,
 * and the cached pages were rarely read (recent entries are read from the Raft log cache). Such
 * writes start on a block boundary and are padded with zeros to the next one (`writeAlignBytes`).
 */
export class FsSegmentFiles implements SegmentFiles {
  private readonly handles = new Map<number, Promise<Handle>>();
  /** Segments created since the directory was last synced: their names are not durable yet. */
  private readonly created = new Set<number>();
  readonly writeAlignBytes: number;

  private constructor(
    readonly directory: string,
    private readonly staging: AlignedBuffers | undefined,
  ) {
    this.writeAlignBytes = staging === undefined ? 1 : directBlockBytes;
  }

  static async open(directory: string, options: FsSegmentFilesOptions = {}): Promise<FsSegmentFiles> {
    await mkdir(directory, { recursive: true });
    let staging: AlignedBuffers | undefined;
    if (options.directIo ?? true) {
      staging = new AlignedBuffers(stagingBufferBytes, stagingBuffersMax);
      if (!(await directWritesWork(directory, staging))) staging = undefined;
    }
    return new FsSegmentFiles(directory, staging);
  }

  /** Whether writes bypass the page cache. */
  get directIo(): boolean {
    return this.staging !== undefined;
  }

  async list(): Promise<number[]> {
    const names = await readdir(this.directory);
    return names
      .filter((n) => n.endsWith(suffix) && n.length === idDigits + suffix.length)
      .map((n) => Number(n.slice(0, idDigits)))
      .filter((id) => Number.isSafeInteger(id))
      .sort((a, b) => a - b);
  }

  async write(id: number, offset: number, chunks: readonly Uint8Array[]): Promise<void> {
    await this.using(id, true, `write of segment ${id}`, async (handle) => {
      if (this.staging === undefined) {
        let position = offset;
        for (const chunk of chunks) {
          await writeFully(handle.file, chunk, chunk.byteLength, position);
          position += chunk.byteLength;
        }
        return;
      }
      assert(offset % directBlockBytes === 0, `direct write at ${offset}: not on a block boundary`);
      await writeStaged(await this.directOf(id, handle), this.staging, offset, chunks);
    });
  }

  async sync(id: number): Promise<void> {
    await this.using(id, false, `sync of segment ${id}`, (handle) => handle.file.datasync());
    if (!this.created.delete(id)) return;
    try {
      const dir = await open(this.directory, constants.O_RDONLY);
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      this.created.add(id);
      throw failure(`sync of directory ${this.directory}`, error);
    }
  }

  /** A segment that is missing or too short for a stored placement lost data: CORRUPTION. */
  async read(id: number, offset: number, length: number): Promise<Uint8Array> {
    return this.using(id, false, `read of segment ${id}`, async ({ file }) => {
      const out = Buffer.allocUnsafe(length);
      for (let done = 0; done < length;) {
        const { bytesRead } = await file.read(out, done, length - done, offset + done);
        if (bytesRead === 0)
          throw new CorruptionError(`entry file segment ${id} ends before ${offset + length}: data was lost`);
        done += bytesRead;
      }
      return new Uint8Array(out.buffer, out.byteOffset, length);
    });
  }

  async remove(id: number): Promise<void> {
    const pending = this.handles.get(id);
    this.handles.delete(id);
    this.created.delete(id);
    try {
      await unlink(this.path(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw failure(`removal of segment ${id}`, error);
    }
    const handle = await pending?.catch(() => undefined);
    if (handle === undefined) return;
    handle.removed = true;
    if (handle.users === 0) await closeHandle(handle);
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    for (const pending of all) {
      const handle = await pending.catch(() => undefined);
      if (handle !== undefined) await closeHandle(handle);
    }
  }

  /** The segment's O_DIRECT handle; a failed open is not remembered. */
  private async directOf(id: number, handle: Handle): Promise<FileHandle> {
    const pending = (handle.direct ??= open(this.path(id), constants.O_WRONLY | constants.O_DIRECT));
    try {
      return await pending;
    } catch (error) {
      if (handle.direct === pending) handle.direct = undefined;
      throw error;
    }
  }

  private path(id: number): string {
    return join(this.directory, String(id).padStart(idDigits, '0') + suffix);
  }

  private async using<T>(
    id: number,
    create: boolean,
    what: string,
    work: (handle: Handle) => Promise<T>,
  ): Promise<T> {
    let handle: Handle;
    try {
      handle = await this.handle(id, create);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new CorruptionError(`entry file segment ${id} is missing: data was lost`);
      throw failure(what, error);
    }
    handle.users++;
    try {
      return await work(handle);
    } catch (error) {
      throw error instanceof CorruptionError ? error : failure(what, error);
    } finally {
      handle.users--;
      if (handle.removed && handle.users === 0) await closeHandle(handle);
    }
  }

  private handle(id: number, create: boolean): Promise<Handle> {
    let pending = this.handles.get(id);
    if (pending === undefined) {
      pending = this.openHandle(id, create);
      this.handles.set(id, pending);
      // A failed open is not remembered: the next call tries again.
      pending.catch(() => {
        if (this.handles.get(id) === pending) this.handles.delete(id);
      });
    }
    return pending;
  }

  private async openHandle(id: number, create: boolean): Promise<Handle> {
    const flags = constants.O_RDWR | (create ? constants.O_CREAT | constants.O_EXCL : 0);
    try {
      const file = await open(this.path(id), flags, 0o644);
      if (create) this.created.add(id);
      return { file, direct: undefined, users: 0, removed: false };
    } catch (error) {
      // Created earlier (before a restart, or by a write whose handle was since dropped): open it.
      if (!create || (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const file = await open(this.path(id), constants.O_RDWR);
      return { file, direct: undefined, users: 0, removed: false };
    }
  }
}

async function closeHandle(handle: Handle): Promise<void> {
  const direct = await handle.direct?.catch(() => undefined);
  await direct?.close();
  await handle.file.close();
}

async function writeFully(
  file: FileHandle,
  data: Uint8Array,
  length: number,
  position: number,
): Promise<void> {
  for (let done = 0; done < length;) {
    const { bytesWritten } = await file.write(data, done, length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Writes `chunks` back to back from `offset` through one staging buffer, a buffer's worth at a time;
 * the last piece is padded with zeros to a whole block.
 */
async function writeStaged(
  file: FileHandle,
  staging: AlignedBuffers,
  offset: number,
  chunks: readonly Uint8Array[],
): Promise<void> {
  const buffer = await staging.acquire();
  try {
    let position = offset;
    let filled = 0;
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.byteLength;) {
        const n = Math.min(chunk.byteLength - done, buffer.byteLength - filled);
        buffer.set(chunk.subarray(done, done + n), filled);
        filled += n;
        done += n;
        if (filled < buffer.byteLength) continue;
        await writeFully(file, buffer, filled, position);
        position += filled;
        filled = 0;
      }
    }
    if (filled === 0) return;
    const padded = alignUp(filled, directBlockBytes);
    buffer.fill(0, filled, padded);
    await writeFully(file, buffer, padded, position);
  } finally {
    staging.release(buffer);
  }
}

/** Whether this directory's file system takes an O_DIRECT write from a staging buffer. */
async function directWritesWork(directory: string, staging: AlignedBuffers): Promise<boolean> {
  if (constants.O_DIRECT === undefined) return false;
  const probe = join(directory, '.direct-io-probe');
  try {
    const file = await open(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT, 0o644);
    try {
      await writeStaged(file, staging, 0, [new Uint8Array(1)]);
    } finally {
      await file.close();
    }
    return true;
  } catch {
    return false;
  } finally {
    await unlink(probe).catch(() => undefined);
  }
}
