// The transform pipeline as its own process, so a test can SIGKILL it mid-transaction.
// Usage: node --import tsx test/integration/pipeline-worker.ts BOOTSTRAP [TRANSACTIONAL_ID [PAUSE_MS]]
// Prints {"committed":N} after every committed transaction.
import { TransformPipeline } from './transform-pipeline.js';

const [bootstrap = '', transactionalId = 'pipe-1', pauseMs = '0'] = process.argv.slice(2);
const pipeline = new TransformPipeline({
  bootstrap,
  input: 'in',
  output: 'out',
  group: 'pipe',
  transactionalId,
  batchRecords: 100,
  pauseMs: Number(pauseMs),
  sessionTimeoutMs: 3_000,
  log: (line) => process.stderr.write(`pipeline ${transactionalId}: ${line}\n`),
  onCommitted: (committed) => process.stdout.write(`${JSON.stringify({ committed })}\n`),
});
pipeline.start();
process.on('SIGTERM', () => {
  void pipeline.stop().then(() => process.exit(0));
});
