/* eslint-disable @typescript-eslint/require-await -- a test double of stdin answers at once */
import type { CliIo } from '../cli-context.js';

/** An in-memory CliIo that records what a command printed. */
export function memoryIo(
  stdin: readonly string[] = [],
  env: Record<string, string> = {},
): CliIo & {
  stdout: string[];
  stderr: string[];
  raw: string[];
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const raw: string[] = [];
  return {
    stdout,
    stderr,
    raw,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    write: (t) => raw.push(t),
    stdinLines: async function* () {
      yield* stdin;
    },
    env,
    progressStream: undefined,
  };
}
