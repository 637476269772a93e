import { useNativeCrc32c } from '../client/index.js';
import { restartLocalNode, runLocalCluster } from '../local/index.js';
import { runNode } from '../server/run-node.js';
import { processIo } from './process-io.js';
import { runCli } from './run-cli.js';
import { connectSession } from './session.js';

useNativeCrc32c();
process.exitCode = await runCli(process.argv.slice(2), processIo(), {
  connect: connectSession,
  runNode,
  runLocalCluster,
  restartLocalNode,
});
