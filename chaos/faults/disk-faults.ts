import { open, truncate } from 'node:fs/promises';
import type { Prng } from '../../lib/index.js';
import { listDataFiles, type DataFile, type DataFileKind, type DiskFileClass } from './data-files.js';

/** One bit of one byte of a file, inverted in place. */
export interface FlippedByte {
  readonly fault: 'disk-bitflip';
  /** Relative to the data directory. */
  readonly file: string;
  readonly kind: DataFileKind;
  readonly offset: number;
  readonly before: number;
  readonly after: number;
  readonly detail: string;
}

/** A file cut short, as a lost tail of writes would leave it. */
export interface TruncatedFile {
  readonly fault: 'disk-truncate';
  readonly file: string;
  readonly kind: DataFileKind;
  readonly oldSize: number;
  readonly newSize: number;
  readonly detail: string;
}

export type DiskFault = FlippedByte | TruncatedFile;

export class NoFileToDamageError extends Error {
  override readonly name = 'NoFileToDamageError';
}

async function pickFile(dataDir: string, prng: Prng, fileClass: DiskFileClass): Promise<DataFile> {
  const files = await listDataFiles(dataDir, fileClass);
  if (files.length === 0) {
    throw new NoFileToDamageError(`no non-empty ${fileClass} file under ${dataDir}`);
  }
  return prng.pick(files);
}

/**
 * Inverts one random bit of one random byte of a random file of `fileClass` in the data directory
 * of a stopped node (a running node would overwrite or cache it). SSTs and WAL files by default:
 * that is where records and Raft state live.
 */
export async function flipRandomByte(
  dataDir: string,
  prng: Prng,
  fileClass: DiskFileClass = 'data',
): Promise<FlippedByte> {
  const file = await pickFile(dataDir, prng, fileClass);
  const offset = prng.intBetween(0, file.size - 1);
  const mask = 1 << prng.intBetween(0, 7);
  const handle = await open(file.path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    const before = byte[0] ?? 0;
    const after = before ^ mask;
    byte[0] = after;
    await handle.write(byte, 0, 1, offset);
    await handle.sync();
    const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;
    return {
      fault: 'disk-bitflip',
      file: file.name,
      kind: file.kind,
      offset,
      before,
      after,
      detail: `${file.name} (${file.kind}, ${file.size} bytes): byte ${offset} ${hex(before)} -> ${hex(after)}`,
    };
  } finally {
    await handle.close();
  }
}

/**
 * Cuts a random file of `fileClass` in a stopped node's data directory to a random shorter length
 * (possibly empty), as a disk that lost the tail of its writes would leave it.
 */
export async function truncateRandomFile(
  dataDir: string,
  prng: Prng,
  fileClass: DiskFileClass = 'data',
): Promise<TruncatedFile> {
  const file = await pickFile(dataDir, prng, fileClass);
  const newSize = prng.intBetween(0, file.size - 1);
  await truncate(file.path, newSize);
  return {
    fault: 'disk-truncate',
    file: file.name,
    kind: file.kind,
    oldSize: file.size,
    newSize,
    detail: `${file.name} (${file.kind}) cut from ${file.size} to ${newSize} bytes`,
  };
}
