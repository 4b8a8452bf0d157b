/**
 * W1B, RxDB: its free Dexie.js storage on IndexedDB, replicated with `replicateRxCollection`
 * from the bench's RxDB endpoint, as the Node client does (see clients/rxdb.ts).
 */
import { createRxDatabase } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { PageTarget } from './types.ts';

type Checkpoint = { seq: number };

const schema = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 100 },
    title: { type: 'string' },
    n: { type: 'number' },
    done: { type: 'boolean' },
    body: { type: 'string' },
  },
  required: ['id'],
} as const;

window.benchPull = async (target: PageTarget) => {
  const db = await createRxDatabase({
    name: `w1b${target.space}`,
    storage: getRxStorageDexie(),
    multiInstance: false,
  });
  await db.addCollections({ items: { schema } });
  const started = performance.now();
  const replication = replicateRxCollection<Record<string, unknown>, Checkpoint>({
    collection: db.items!,
    replicationIdentifier: `bench-${target.space}`,
    live: true,
    pull: {
      batchSize: 1000,
      async handler(checkpoint, batchSize) {
        const response = await fetch(
          `${target.url}/pull?space=${encodeURIComponent(target.space)}`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ checkpoint, batchSize }),
          },
        );
        if (!response.ok) throw new Error(`RxDB pull answered ${response.status}`);
        return JSON.parse(await response.text());
      },
    },
  });
  let failure: unknown;
  replication.error$.subscribe((error) => {
    failure ??= error;
  });
  await replication.awaitInSync();
  const ms = performance.now() - started;
  if (failure) throw failure;
  const count = await db.items!.count().exec();
  await replication.cancel();
  await db.close();
  return { ms, count };
};
