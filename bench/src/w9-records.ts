/**
 * W9's data and sizes, shared by its Node run (workloads/w9-local-queries.ts) and its
 * Chromium page (browser/pages/w9-idb.ts) so both time the same records and queries.
 */
export type Item = { list: string; createdAt: number; title: string };
export const RECORDS = 100_000;
export const LISTS = 150;
export const QUERY_ROUNDS = 51;
export const FIRST_ROUNDS = 11;
export const WRITES = 201;
export const BULK = 20_000;

/** Record `i`: one of `LISTS` lists, a creation time spread over the whole range. */
export const item = (i: number): Item => ({
  list: `list-${i % LISTS}`,
  createdAt: (i * 7919) % RECORDS,
  title: `item ${i}`,
});
export const key = (i: number) => `k${String(i).padStart(6, '0')}`;

export interface W9Figures {
  queryMs: number;
  firstMs: number;
  updateP50Ms: number;
  updateP99Ms: number;
  bulkMs: number;
}

export const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
};

/** Runs `run` `rounds` times, one after the other, and returns each round's milliseconds. */
export async function times(
  rounds: number,
  run: (round: number) => Promise<unknown>,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run(i);
    out.push(performance.now() - start);
  }
  return out;
}
