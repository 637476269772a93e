import type { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { withSession } from './global-options.js';
import { statusJson, statusTable } from './output-format.js';

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('the controller, every node and every partition')
    .action((_o: unknown, cmd: Command) =>
      withSession(ctx, cmd, async (session, g) => {
        const status = await session.admin.clusterStatus();
        if (g.json) ctx.io.out(statusJson(status));
        else for (const line of statusTable(status)) ctx.io.out(line);
      }),
    );
}
