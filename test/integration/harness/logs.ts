import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

const tailBytesMax = 64 * 1024;

/** The last `lines` lines of a file, reading at most its last 64 KiB. */
export function tailFile(path: string, lines: number): string {
  if (!existsSync(path)) return '(no log file)';
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, tailBytesMax);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } finally {
    closeSync(fd);
  }
}
