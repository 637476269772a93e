import { createInterface } from 'node:readline';
import type { CliIo } from './cli-context.js';

export function processIo(): CliIo {
  exitQuietlyWhenReaderLeaves(process.stdout);
  exitQuietlyWhenReaderLeaves(process.stderr);
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (text) => process.stdout.write(text),
    stdinLines: () => createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }),
    env: process.env,
    progressStream: process.stderr.isTTY ? process.stderr : undefined,
    onInterrupt: (handler) => {
      const once = (): void => {
        off();
        handler();
      };
      const off = (): void => {
        process.off('SIGINT', once);
        process.off('SIGTERM', once);
      };
      process.on('SIGINT', once);
      process.on('SIGTERM', once);
      return off;
    },
  };
}

/**
 * `raftlog consume t | head -1`: once the reader is gone nobody wants more output, so the command
 * ends at once with exit code 0, as a filter in a pipeline does, instead of an EPIPE stack trace (or
 * consuming forever into a closed pipe).
 */
function exitQuietlyWhenReaderLeaves(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.exitCode = 1;
    process.stderr.write(
      `raftlog: UNKNOWN: ${stream === process.stdout ? 'stdout' : 'stderr'}: ${error.message}\n`,
    );
  });
}
