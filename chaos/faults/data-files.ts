import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

/**
 * What a file of a node's data directory is, by RocksDB's naming (see the engine's filename.cc), or
 * an entry-file segment (`entries/0000000000000001.entries`, storage/README.md).
 */
export type DataFileKind =
  'sst' | 'wal' | 'entries' | 'manifest' | 'current' | 'options' | 'identity' | 'other';

/** Which files a fault may hit: `data` is SSTs, WAL files and entry files, `any` every non-empty file. */
export type DiskFileClass = 'sst' | 'wal' | 'entries' | 'data' | 'manifest' | 'any';

export interface DataFile {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the data directory, for reports. */
  readonly name: string;
  readonly kind: DataFileKind;
  readonly size: number;
}

export function kindOf(fileName: string): DataFileKind {
  const name = basename(fileName);
  if (/^\d+\.sst$/.test(name)) return 'sst';
  if (/^\d+\.log$/.test(name)) return 'wal';
  if (/^\d{16}\.entries$/.test(name)) return 'entries';
  if (/^MANIFEST-\d+$/.test(name)) return 'manifest';
  if (name === 'CURRENT') return 'current';
  if (/^OPTIONS-\d+$/.test(name)) return 'options';
  if (name === 'IDENTITY') return 'identity';
  return 'other';
}

function inClass(kind: DataFileKind, fileClass: DiskFileClass): boolean {
  switch (fileClass) {
    case 'sst':
    case 'wal':
    case 'entries':
    case 'manifest':
      return kind === fileClass;
    case 'data':
      return kind === 'sst' || kind === 'wal' || kind === 'entries';
    case 'any':
      return true;
  }
}

/**
 * The non-empty files of `fileClass` under `dataDir`, sorted by name so that a seeded choice among
 * them replays. The engine's LOCK file is left out: it holds nothing.
 */
export async function listDataFiles(dataDir: string, fileClass: DiskFileClass): Promise<DataFile[]> {
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true });
  const files: DataFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name === 'LOCK') continue;
    const path = join(entry.parentPath, entry.name);
    const kind = kindOf(entry.name);
    if (!inClass(kind, fileClass)) continue;
    const { size } = await stat(path);
    if (size > 0) files.push({ path, name: relative(dataDir, path), kind, size });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
