import type { CliDeps, CliIo } from './cli-context.js';
import { formatError, isCleanExit } from './cli-error.js';
import { buildProgram } from './program.js';

/** Runs one command line (without the node and script names) and returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const ctx = { io, deps, exitCode: 0 };
  try {
    await buildProgram(ctx).parseAsync([...args], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (isCleanExit(error)) return 0;
    io.err(formatError(error));
    return 1;
  }
}
