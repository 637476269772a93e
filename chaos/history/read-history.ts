import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseHistoryEvent } from './parse-history-event.js';
import type { HistoryEvent } from './types.js';

/** Reads a JSONL history file; a malformed line fails with its line number. Blank lines are skipped. */
export async function readHistory(path: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    events.push(parseHistoryEvent(parseJson(text, line), line));
  }
  return events;
}

function parseJson(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`history line ${line}: not JSON (${(e as Error).message})`, { cause: e });
  }
}
