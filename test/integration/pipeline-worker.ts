// The transform pipeline as its own process, so a test can SIGKILL it mid-transaction.
// Usage: node --import tsx test/integration/pipeline-worker.ts BOOTSTRAP
// Prints {"committed":N} after every committed transaction.
import { TransformPipeline } from './transform-pipeline.js';

const [bootstrap = ''] = process.argv.slice(2);
const pipeline = new TransformPipeline({
  bootstrap,
  input: 'in',
  output: 'out',
  group: 'pipe',
  transactionalId: 'pipe-1',
  batchRecords: 100,
  sessionTimeoutMs: 3_000,
  onCommitted: (committed) => process.stdout.write(`${JSON.stringify({ committed })}\n`),
});
pipeline.start();
process.on('SIGTERM', () => {
  void pipeline.stop().then(() => process.exit(0));
});
