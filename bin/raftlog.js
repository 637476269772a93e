#!/usr/bin/env node
// `raftlog chaos …` runs the chaos harness, which lives beside the product rather than inside its CLI.
const entry = process.argv[2] === 'chaos' ? '../dist/chaos/main.js' : '../dist/src/cli/main.js';
if (process.argv[2] === 'chaos') process.argv.splice(2, 1);
import(entry).catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('raftlog is not built yet: run `npm run build` first.');
    process.exit(1);
  }
  throw error;
});
