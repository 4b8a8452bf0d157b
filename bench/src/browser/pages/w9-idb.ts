/**
 * W9 in Chromium: the same records, query, live query and bulk insert as the Node run, on
 * Ferry's IndexedDB store, RxDB on its Dexie.js (IndexedDB) storage with the same index, and
 * a floor: the same query as a raw IndexedDB cursor over a compound index `[list, createdAt]`
 * (and the bulk insert as raw puts in one transaction). Each system runs in a fresh profile.
 */
import { openIndexedDbStore } from '@ferry/browser';
import { createClient } from '@ferry/client';
import { createRxDatabase, type RxCollection } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
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
} from '../../w9-records.ts';

export type W9System = 'ferry' | 'rxdb' | 'floor';

declare global {
  interface Window {
    benchW9?: (system: W9System) => Promise<Partial<W9Figures>>;
  }
}

const progress = (line: string) => console.log(`[w9-idb] ${line}`);

async function ferry(): Promise<W9Figures> {
  const store = await openIndexedDbStore({ name: 'w9-ferry' });
  progress(`Ferry: loading ${RECORDS} records`);
  let phase = performance.now();
  const lap = (what: string) => {
    progress(`Ferry: ${what} in ${Math.round(performance.now() - phase)} ms`);
    phase = performance.now();
  };
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
  lap('loaded');
  const items = client.collection('items');
  const query = { index: 'byList', where: { list: 'list-7' }, order: 'desc', limit: 50 } as const;
  if ((await items.find(query)).length !== 50) throw new Error('Ferry: expected 50 rows');
  lap('index built and first query answered');
  const queryMs = percentile(
    await times(QUERY_ROUNDS, (i) => items.find({ ...query, where: { list: `list-${i + 10}` } })),
    0.5,
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
    await items.put(`w${n}`, { list: 'list-7', createdAt: RECORDS + n, title });
    await seen;
  });
  stop();
  lap('queries, live queries and writes timed');
  const start = performance.now();
  await items.bulkPut(
    Array.from({ length: BULK }, (_, i) => [`b${i}`, item(RECORDS + i)] as const),
  );
  const bulkMs = performance.now() - start;
  await client.close();
  await store.close();
  return {
    queryMs,
    firstMs,
    updateP50Ms: percentile(updates, 0.5),
    updateP99Ms: percentile(updates, 0.99),
    bulkMs,
  };
}

type Doc = Item & { id: string };

async function rxdb(): Promise<W9Figures> {
  const db = await createRxDatabase({
    name: 'w9rx',
    storage: getRxStorageDexie(),
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
  progress(`RxDB: loading ${RECORDS} records`);
  await items.bulkInsert(Array.from({ length: RECORDS }, (_, i) => ({ id: key(i), ...item(i) })));
  const query = (list = 'list-7') =>
    items.find({ selector: { list }, sort: [{ createdAt: 'desc' }], limit: 50 });
  if ((await query().exec()).length !== 50) throw new Error('RxDB: expected 50 rows');
  const queryMs = percentile(await times(QUERY_ROUNDS, (i) => query(`list-${i + 10}`).exec()), 0.5);
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
  const start = performance.now();
  await items.bulkInsert(
    Array.from({ length: BULK }, (_, i) => ({ id: `b${i}`, ...item(RECORDS + i) })),
  );
  const bulkMs = performance.now() - start;
  await db.close();
  return {
    queryMs,
    firstMs,
    updateP50Ms: percentile(updates, 0.5),
    updateP99Ms: percentile(updates, 0.99),
    bulkMs,
  };
}

const done = (request: IDBRequest | IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    if (request instanceof IDBTransaction) {
      request.oncomplete = () => resolve();
      request.onerror = () => reject(request.error);
      request.onabort = () => reject(request.error);
    } else {
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    }
  });

/** The floor: the query as a raw cursor over a compound index, the bulk as raw puts. */
async function floor(): Promise<Pick<W9Figures, 'queryMs' | 'bulkMs'>> {
  const open = indexedDB.open('w9-floor', 1);
  open.onupgradeneeded = () => {
    open.result
      .createObjectStore('items', { keyPath: 'id' })
      .createIndex('byList', ['list', 'createdAt']);
  };
  await done(open);
  const db = open.result;
  progress(`floor: loading ${RECORDS} records`);
  const load = db.transaction('items', 'readwrite');
  const loading = load.objectStore('items');
  for (let i = 0; i < RECORDS; i++) loading.put({ id: key(i), ...item(i) });
  await done(load);
  const newest50 = (list: string) =>
    new Promise<unknown[]>((resolve, reject) => {
      const rows: unknown[] = [];
      const cursor = db
        .transaction('items', 'readonly')
        .objectStore('items')
        .index('byList')
        .openCursor(IDBKeyRange.bound([list, -Infinity], [list, Infinity]), 'prev');
      cursor.onerror = () => reject(cursor.error);
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (at === null || rows.length === 50) return resolve(rows);
        rows.push(at.value);
        at.continue();
      };
    });
  if ((await newest50('list-7')).length !== 50) throw new Error('floor: expected 50 rows');
  const queryMs = percentile(await times(QUERY_ROUNDS, (i) => newest50(`list-${i + 10}`)), 0.5);
  const start = performance.now();
  const bulk = db.transaction('items', 'readwrite');
  const writing = bulk.objectStore('items');
  for (let i = 0; i < BULK; i++) writing.put({ id: `b${i}`, ...item(RECORDS + i) });
  await done(bulk);
  const bulkMs = performance.now() - start;
  db.close();
  return { queryMs, bulkMs };
}

window.benchW9 = (system) => (system === 'ferry' ? ferry() : system === 'rxdb' ? rxdb() : floor());
