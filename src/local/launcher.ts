import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How to start a `raftlog` CLI process: the executable and the arguments before the subcommand. */
export interface Launcher {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
}

/**
 * The launcher this process runs with, so children work alike under tsx (src/cli/main.ts) and compiled
 * (dist/src/cli/main.js): the entry sits next to this module with this module's own extension.
 */
export function currentLauncher(): Launcher {
  const here = import.meta.url;
  const entry = fileURLToPath(new URL(`../cli/main${extname(here)}`, here));
  return { command: process.execPath, args: [...inheritableExecArgv(process.execArgv), entry] };
}

/** Debugger and watch flags would make every child fight for one port or restart on edits. */
export function inheritableExecArgv(execArgv: readonly string[]): string[] {
  return execArgv.filter((arg) => !/^--(inspect|debug|watch)/.test(arg));
}
