import { constants } from 'node:fs';
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptionError, RaftlogError } from '../../lib/index.js';
import type { SegmentFiles } from './segment-files.js';

const suffix = '.entries';
const idDigits = 16;

interface Handle {
  readonly file: FileHandle;
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
 */
export class FsSegmentFiles implements SegmentFiles {
  private readonly handles = new Map<number, Promise<Handle>>();
  /** Segments created since the directory was last synced: their names are not durable yet. */
  private readonly created = new Set<number>();

  private constructor(readonly directory: string) {}

  static async open(directory: string): Promise<FsSegmentFiles> {
    await mkdir(directory, { recursive: true });
    return new FsSegmentFiles(directory);
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
    await this.using(id, true, `write of segment ${id}`, async (file) => {
      let position = offset;
      for (const chunk of chunks) {
        for (let done = 0; done < chunk.byteLength;) {
          const { bytesWritten } = await file.write(chunk, done, chunk.byteLength - done, position);
          done += bytesWritten;
          position += bytesWritten;
        }
      }
    });
  }

  async sync(id: number): Promise<void> {
    await this.using(id, false, `sync of segment ${id}`, (file) => file.datasync());
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
    return this.using(id, false, `read of segment ${id}`, async (file) => {
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
    if (handle.users === 0) await handle.file.close();
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    for (const pending of all) {
      const handle = await pending.catch(() => undefined);
      if (handle !== undefined) await handle.file.close();
    }
  }

  private path(id: number): string {
    return join(this.directory, String(id).padStart(idDigits, '0') + suffix);
  }

  private async using<T>(
    id: number,
    create: boolean,
    what: string,
    work: (file: FileHandle) => Promise<T>,
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
      return await work(handle.file);
    } catch (error) {
      throw error instanceof CorruptionError ? error : failure(what, error);
    } finally {
      handle.users--;
      if (handle.removed && handle.users === 0) await handle.file.close();
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
      return { file, users: 0, removed: false };
    } catch (error) {
      // Created earlier (before a restart, or by a write whose handle was since dropped): open it.
      if (!create || (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return { file: await open(this.path(id), constants.O_RDWR), users: 0, removed: false };
    }
  }
}
