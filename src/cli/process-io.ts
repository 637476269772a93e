import { createInterface } from 'node:readline';
import type { CliIo } from './cli-context.js';

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (text) => process.stdout.write(text),
    stdinLines: () => createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }),
    env: process.env,
    progressStream: process.stderr.isTTY ? process.stderr : undefined,
  };
}
