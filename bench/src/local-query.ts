/**
 * Local query cost at 100,000 records, before and after declared indexes, on the memory
 * store and on SQLite (@ferry/node), in one run: "before" reads the whole collection,
 * filters, sorts and slices (what `query` does); "after" is `find` on an index with the
 * same answer. Records are small ({ list, createdAt, title }), 150 lists, so `where` keeps
 * 667 of them and the query returns 50. Prints the median of several rounds of each.
 *
 *   npx tsx --conditions=@ferry/source bench/src/local-query.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, createMemoryStore, type Store } from '@ferry/client';
import { openSqliteStore } from '@ferry/node';

type Item = { list: string; createdAt: number; title: string };
const RECORDS = 100_000;
const LISTS = 150;
const ROUNDS = 7;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(name: string, store: Store): Promise<void> {
  const putRecords = Array.from({ length: RECORDS }, (_, i) => ({
    space: 's',
    collection: 'items',
    key: `k${String(i).padStart(6, '0')}`,
    version: i + 1,
    value: { list: `list-${i % LISTS}`, createdAt: (i * 7919) % RECORDS, title: `item ${i}` },
  }));
  await store.commit({ putRecords });
  const client = createClient<{ items: Item }>({
    url: 'http://127.0.0.1:9',
    store,
    defaultSpace: 's',
    fetch: () => new Promise<Response>(() => {}),
    schedule: { triggers: [] },
    collections: { items: { indexes: { byList: ['list', 'createdAt'] } } },
  });
  const items = client.collection('items');
  const before = async () =>
    (await items.query({ where: (v) => v.list === 'list-7' }))
      .sort((a, b) => b.value.createdAt - a.value.createdAt)
      .slice(0, 50);
  const after = () =>
    items.find({ index: 'byList', where: { list: 'list-7' }, order: 'desc', limit: 50 });
  const a = await before();
  const b = await after();
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${name}: the answers differ`);
  const time = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    return median(times);
  };
  const slow = await time(before);
  const fast = await time(after);
  console.log(
    `${name}: full read + filter + sort ${slow.toFixed(1)} ms, indexed find ${fast.toFixed(2)} ms, ${Math.round(slow / fast)}x`,
  );
  await client.close();
  await store.close();
}

const dir = mkdtempSync(join(tmpdir(), 'ferry-local-query-'));
try {
  await measure('memory store', createMemoryStore());
  await measure('SQLite store', openSqliteStore(join(dir, 'q.db')));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
