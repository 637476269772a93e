import type { Command } from 'commander';
import type { CliContext, CliSession, GlobalOptions } from './cli-context.js';

export function globals(command: Command): GlobalOptions {
  const o = command.optsWithGlobals<{
    bootstrap: string;
    json?: boolean;
    user?: string;
    password?: string;
  }>();
  const auth =
    o.user === undefined || o.user === '' ? {} : { auth: { user: o.user, password: o.password ?? '' } };
  return { bootstrap: o.bootstrap, json: o.json === true, ...auth };
}

/** Runs `body` with a session that is closed however the body ends. */
export async function withSession<T>(
  ctx: CliContext,
  command: Command,
  body: (session: CliSession, g: GlobalOptions) => Promise<T>,
): Promise<T> {
  const g = globals(command);
  const session = await ctx.deps.connect(g.bootstrap, g.auth);
  try {
    return await body(session, g);
  } finally {
    session.close();
  }
}
