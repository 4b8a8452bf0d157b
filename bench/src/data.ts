/**
 * Deterministic records of a chosen size, so every system carries the same bytes. The
 * value is a JSON object whose `body` pads it to about `valueBytes` of JSON.
 */
import type { BenchRecord } from './types.ts';

const FILLER = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ';

function body(length: number, seed: number): string {
  const start = seed % FILLER.length;
  let text = '';
  while (text.length < length + start) text += FILLER;
  return text.slice(start, start + length);
}

/** The key of record `index` under `prefix`, zero-padded so key order is index order. */
export function recordKey(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(8, '0')}`;
}

export function makeRecord(prefix: string, index: number, valueBytes: number): BenchRecord {
  const base = { title: `record ${index}`, n: index, done: index % 2 === 0 };
  const overhead = JSON.stringify({ ...base, body: '' }).length;
  return {
    key: recordKey(prefix, index),
    value: { ...base, body: body(Math.max(0, valueBytes - overhead), index) },
  };
}

/** Records `from` … `from + count - 1` in chunks of `chunkSize`. */
export function* recordChunks(
  prefix: string,
  from: number,
  count: number,
  valueBytes: number,
  chunkSize: number,
): Generator<BenchRecord[]> {
  for (let start = from; start < from + count; start += chunkSize) {
    const end = Math.min(from + count, start + chunkSize);
    const chunk: BenchRecord[] = [];
    for (let i = start; i < end; i++) chunk.push(makeRecord(prefix, i, valueBytes));
    yield chunk;
  }
}
