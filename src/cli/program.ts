import { Command, Option } from 'commander';
import { registerBenchCommand } from './bench-command.js';
import { registerCertsCommand } from './certs-command.js';
import type { CliContext } from './cli-context.js';
import { registerDataCommands } from './data-commands.js';
import { registerGroupCommands } from './group-commands.js';
import { registerHandOffCommand } from './hand-off-command.js';
import { registerHealthCommand } from './health-command.js';
import { registerNodeCommands } from './node-commands.js';
import { registerPartitionCommands } from './partition-commands.js';
import { bootstrapList } from './option-parsers.js';
import { localBootstrapDefault } from '../local/index.js';
import { registerQueueCommands } from './queue-commands.js';
import { registerSecurityCommands } from './security-commands.js';
import { registerServerCommands } from './server-commands.js';
import { registerStatusCommand } from './status-command.js';
import { registerTopicCommands } from './topic-commands.js';
import { addTlsOptions } from './tls-options.js';
import { registerTxnCommands } from './txn-commands.js';

/**
 * The `raftlog` command tree. exitOverride and the output hooks are set before any subcommand is
 * added because commander copies them into each subcommand when it is created.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('raftlog')
    .description('raftlog: a Raft-replicated partitioned log')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.write(s),
      writeErr: (s) => ctx.io.write(s),
      outputError: () => undefined,
    })
    .addOption(
      new Option('--bootstrap <host:port,...>', 'nodes to reach the cluster through (env RAFTLOG_BOOTSTRAP)')
        .argParser(bootstrapList)
        .default(ctx.io.env['RAFTLOG_BOOTSTRAP'] ?? localBootstrapDefault),
    )
    .option('--json', 'machine-readable output')
    .addOption(
      new Option('--user <name>', 'log in as this user (env RAFTLOG_USER)').default(
        ctx.io.env['RAFTLOG_USER'],
      ),
    )
    .addOption(
      new Option(
        '--password <password>',
        'its password (env RAFTLOG_PASSWORD, which keeps it out of ps)',
      ).default(ctx.io.env['RAFTLOG_PASSWORD']),
    )
    .showSuggestionAfterError(true);
  addTlsOptions(program, ctx.io.env);
  registerServerCommands(program, ctx);
  registerTopicCommands(program, ctx);
  registerDataCommands(program, ctx);
  registerStatusCommand(program, ctx);
  registerBenchCommand(program, ctx);
  registerGroupCommands(program, ctx);
  registerQueueCommands(program, ctx);
  registerTxnCommands(program, ctx);
  registerHealthCommand(program, ctx);
  registerHandOffCommand(program, ctx);
  registerNodeCommands(program, ctx);
  registerPartitionCommands(program, ctx);
  registerCertsCommand(program, ctx);
  registerSecurityCommands(program, ctx);
  return program;
}
