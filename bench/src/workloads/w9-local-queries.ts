/**
 * W9, local queries at 100,000 records ({ list, createdAt, title }, 150 lists): an indexed
 * query of 50 rows of one list, newest first; the first delivery of that query live; a write
 * into the list until the live query shows it (p50/p99); a bulk insert of 20,000 local
 * writes. Ferry on its memory store and on SQLite (@ferry/node), RxDB on its memory storage
 * with the same index, and a floor: the same query on a raw better-sqlite3 table with the
 * same index, timed in the same rounds as Ferry's query (floor, then Ferry, list by list).
 * Everything in one run, so the ratios compare like with like.
 *
 *   npx tsx --conditions=@ferry/source bench/src/workloads/w9-local-queries.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, createMemoryStore, type Store } from '@ferry/client';
import { openSqliteStore } from '@ferry/node';
import Database from 'better-sqlite3';
import { createRxDatabase, type RxCollection } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import {
  BULK,
  FIRST_ROUNDS,
  type Item,
  item,
  key,
  percentile,
  QUERY_ROUNDS,
  RECORDS,
  times,
  type W9Figures,
  WRITES,
} from '../w9-records.ts';

type Figures = W9Figures;
const log = (line: string) => console.log(`[w9] ${line}`);

/**
 * Ferry's figures on one store. With `floor`, each round of the indexed query also times the
 * floor's query right before Ferry's, so that the two are compared at the same moments: the
 * machine's speed drifts over the seconds between one system's rounds and the next's.
 */
async function ferry(
  name: string,
  store: Store,
  floor?: (round: number) => void,
): Promise<Figures & { floorMs?: number }> {
  log(`${name}: loading ${RECORDS} records`);
  await store.commit({
    putRecords: Array.from({ length: RECORDS }, (_, i) => ({
      space: 's',
      collection: 'items',
      key: key(i),
      version: i + 1,
      value: item(i),
    })),
  });
  const client = createClient<{ items: Item }>({
    url: 'http://127.0.0.1:9',
    store,
    defaultSpace: 's',
    fetch: () => new Promise<Response>(() => {}),
    schedule: { triggers: [] },
    collections: { items: { indexes: { byList: ['list', 'createdAt'] } } },
  });
  const items = client.collection('items');
  const query = { index: 'byList', where: { list: 'list-7' }, order: 'desc', limit: 50 } as const;
  if ((await items.find(query)).length !== 50) throw new Error(`${name}: expected 50 rows`);
  // Another list each round: RxDB keeps the results of a query it has run, so repeating one
  // query would time its cache, not its index.
  const ferryTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let i = 0; i < QUERY_ROUNDS; i++) {
    if (floor !== undefined) {
      const start = performance.now();
      floor(i);
      floorTimes.push(performance.now() - start);
    }
    const start = performance.now();
    await items.find({ ...query, where: { list: `list-${i + 10}` } });
    ferryTimes.push(performance.now() - start);
  }
  const queryMs = percentile(ferryTimes, 0.5);
  const floorMs = floor === undefined ? undefined : percentile(floorTimes, 0.5);
  log(
    `${name}: indexed query ${queryMs.toFixed(3)} ms${floorMs === undefined ? '' : `, the floor in the same rounds ${floorMs.toFixed(3)} ms`}`,
  );

  const firstMs = percentile(
    await times(
      FIRST_ROUNDS,
      () =>
        new Promise<void>((resolve) => {
          const stop = items.subscribe(query, () => {
            stop();
            resolve();
          });
        }),
    ),
    0.5,
  );
  log(`${name}: first live delivery ${firstMs.toFixed(3)} ms`);

  let waiting: { title: string; resolve: () => void } | undefined;
  const stop = items.subscribe(query, (rows) => {
    if (waiting !== undefined && rows[0]?.value.title === waiting.title) waiting.resolve();
  });
  await new Promise((r) => setTimeout(r, 50));
  let n = 0;
  const updates = await times(WRITES, async () => {
    const title = `written ${++n}`;
    const seen = new Promise<void>((resolve) => {
      waiting = { title, resolve };
    });
    // Newest of its list: it enters the window at the top and pushes the last row out.
    await items.put(`w${n}`, { list: 'list-7', createdAt: RECORDS + n, title });
    await seen;
  });
  stop();
  log(
    `${name}: write → live query p50 ${percentile(updates, 0.5).toFixed(3)} ms, p99 ${percentile(updates, 0.99).toFixed(3)} ms`,
  );

  const start = performance.now();
  await items.bulkPut(
    Array.from({ length: BULK }, (_, i) => [`b${i}`, item(RECORDS + i)] as const),
  );
  const bulkMs = performance.now() - start;
  log(`${name}: bulk insert of ${BULK} ${bulkMs.toFixed(0)} ms`);
  // Not sent yet, the bulk's writes are pending, and every query overlays them.
  const pendingQueryMs = percentile(
    await times(QUERY_ROUNDS, (i) => items.find({ ...query, where: { list: `list-${i + 10}` } })),
    0.5,
  );
  log(`${name}: indexed query with the ${BULK} writes pending ${pendingQueryMs.toFixed(3)} ms`);
  await client.close();
  await store.close();
  return {
    queryMs,
    ...(floorMs === undefined ? {} : { floorMs }),
    firstMs,
    updateP50Ms: percentile(updates, 0.5),
    updateP99Ms: percentile(updates, 0.99),
    bulkMs,
  };
}

type Doc = Item & { id: string };

async function rxdb(): Promise<Figures> {
  const name = 'RxDB memory';
  const db = await createRxDatabase({
    name: `w9x${process.pid}`,
    storage: getRxStorageMemory(),
    multiInstance: false,
  });
  await db.addCollections({
    items: {
      schema: {
        version: 0,
        primaryKey: 'id',
        type: 'object',
        properties: {
          id: { type: 'string', maxLength: 20 },
          list: { type: 'string', maxLength: 20 },
          createdAt: { type: 'number', minimum: 0, maximum: 1e9, multipleOf: 1 },
          title: { type: 'string' },
        },
        required: ['id', 'list', 'createdAt'],
        indexes: [['list', 'createdAt']],
      },
    },
  });
  const items = db.items as RxCollection<Doc>;
  log(`${name}: loading ${RECORDS} records`);
  await items.bulkInsert(Array.from({ length: RECORDS }, (_, i) => ({ id: key(i), ...item(i) })));
  const query = (list = 'list-7') =>
    items.find({ selector: { list }, sort: [{ createdAt: 'desc' }], limit: 50 });
  if ((await query().exec()).length !== 50) throw new Error(`${name}: expected 50 rows`);
  const queryMs = percentile(await times(QUERY_ROUNDS, (i) => query(`list-${i + 10}`).exec()), 0.5);
  log(`${name}: indexed query ${queryMs.toFixed(3)} ms`);
  const firstMs = percentile(
    await times(
      FIRST_ROUNDS,
      () =>
        new Promise<void>((resolve) => {
          const sub = query().$.subscribe(() => {
            queueMicrotask(() => sub.unsubscribe());
            resolve();
          });
        }),
    ),
    0.5,
  );
  log(`${name}: first live delivery ${firstMs.toFixed(3)} ms`);
  let waiting: { title: string; resolve: () => void } | undefined;
  const sub = query().$.subscribe((docs) => {
    if (waiting !== undefined && docs[0]?.title === waiting.title) waiting.resolve();
  });
  await new Promise((r) => setTimeout(r, 50));
  let n = 0;
  const updates = await times(WRITES, async () => {
    const title = `written ${++n}`;
    const seen = new Promise<void>((resolve) => {
      waiting = { title, resolve };
    });
    await items.insert({ id: `w${n}`, list: 'list-7', createdAt: RECORDS + n, title });
    await seen;
  });
  sub.unsubscribe();
  log(
    `${name}: write → live query p50 ${percentile(updates, 0.5).toFixed(3)} ms, p99 ${percentile(updates, 0.99).toFixed(3)} ms`,
  );
  const start = performance.now();
  await items.bulkInsert(
    Array.from({ length: BULK }, (_, i) => ({ id: `b${i}`, ...item(RECORDS + i) })),
  );
  const bulkMs = performance.now() - start;
  log(`${name}: bulk insert of ${BULK} ${bulkMs.toFixed(0)} ms`);
  await db.close();
  return {
    queryMs,
    firstMs,
    updateP50Ms: percentile(updates, 0.5),
    updateP99Ms: percentile(updates, 0.99),
    bulkMs,
  };
}

/**
 * The floor: the same query on a plain SQLite table with the same index, one list a round
 * (as Ferry's rounds), to be timed beside Ferry's; `close` closes the database.
 */
function rawSqlite(file: string): { query: (round: number) => void; close: () => void } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(
    'CREATE TABLE items (key TEXT PRIMARY KEY, list TEXT, createdAt INTEGER, title TEXT); CREATE INDEX by_list ON items (list, createdAt, key)',
  );
  const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < RECORDS; i++) {
      const v = item(i);
      insert.run(key(i), v.list, v.createdAt, v.title);
    }
  })();
  const select = db.prepare(
    'SELECT * FROM items WHERE list = ? ORDER BY createdAt DESC, key DESC LIMIT 50',
  );
  return {
    query: (round) => {
      if (select.all(`list-${round + 10}`).length !== 50) {
        throw new Error('raw SQLite: expected 50 rows');
      }
    },
    close: () => db.close(),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'ferry-w9-'));
try {
  const raw = rawSqlite(join(dir, 'raw.db'));
  const memory = await ferry('Ferry memory', createMemoryStore(), raw.query);
  const sqlite = await ferry('Ferry SQLite', openSqliteStore(join(dir, 'ferry.db')), raw.query);
  raw.close();
  const rx = await rxdb();
  // The floor as timed beside Ferry's SQLite store, whose distance to it is the target.
  const floor = sqlite.floorMs!;
  const row = (name: string, f: Figures) =>
    `| ${name} | ${f.queryMs.toFixed(3)} | ${f.firstMs.toFixed(3)} | ${f.updateP50Ms.toFixed(3)} / ${f.updateP99Ms.toFixed(3)} | ${f.bulkMs.toFixed(0)} |`;
  console.log(
    '\n| system | indexed query ms | first live delivery ms | write → live p50 / p99 ms | bulk 20,000 ms |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  console.log(row('Ferry, memory store', memory));
  console.log(row('Ferry, SQLite', sqlite));
  console.log(row('RxDB, memory storage', rx));
  console.log(`| raw better-sqlite3 (floor) | ${floor.toFixed(3)} | – | – | – |`);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  console.log(
    `\nratios: query memory/RxDB ${ratio(memory.queryMs, rx.queryMs)}, SQLite/floor ${ratio(sqlite.queryMs, floor)} (each round beside the other), memory/floor ${ratio(memory.queryMs, memory.floorMs!)} (the same); write → live p50 memory/RxDB ${ratio(memory.updateP50Ms, rx.updateP50Ms)}, SQLite/RxDB ${ratio(sqlite.updateP50Ms, rx.updateP50Ms)}; bulk memory/RxDB ${ratio(memory.bulkMs, rx.bulkMs)}, SQLite/RxDB ${ratio(sqlite.bulkMs, rx.bulkMs)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
