/**
 * RxDB's side: a database on RxDB's free memory storage, replicated with
 * `replicateRxCollection` against the bench's RxDB endpoint (see servers/rxdb-endpoint.ts).
 */
import { createRxDatabase, type RxCollection, type RxDatabase, type WithDeleted } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { Subject } from 'rxjs';
import type { BenchRecord } from '../types.ts';
import { openReconnectingStream } from './event-source.ts';
import { postJson } from './http.ts';
import type { ClientSystem, Target } from './types.ts';

const BATCH = 1000;

interface ItemDoc {
  id: string;
  title: string;
  n: number;
  done: boolean;
  body: string;
}

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

let databases = 0;

async function openDatabase(): Promise<{ db: RxDatabase; items: RxCollection<ItemDoc> }> {
  const db = await createRxDatabase({
    name: `bench${process.pid}x${++databases}`,
    storage: getRxStorageMemory(),
    multiInstance: false,
  });
  await db.addCollections({ items: { schema } });
  return { db, items: db.items as RxCollection<ItemDoc> };
}

const asDoc = (r: BenchRecord) => ({ id: r.key, ...r.value }) as unknown as ItemDoc;

function pullHandler(target: Target, initial: Checkpoint | undefined, onCall?: () => void) {
  return async (checkpoint: Checkpoint | undefined, batchSize: number) => {
    onCall?.();
    const response = await postJson(
      `${target.url}/pull?space=${encodeURIComponent(target.space)}`,
      JSON.stringify({ checkpoint: checkpoint ?? initial, batchSize }),
    );
    if (response.status !== 200) throw new Error(`RxDB pull answered ${response.status}`);
    return JSON.parse(response.text) as {
      documents: WithDeleted<ItemDoc>[];
      checkpoint: Checkpoint;
    };
  };
}

async function pushHandler(target: Target, rows: unknown[]) {
  const response = await postJson(
    `${target.url}/push?space=${encodeURIComponent(target.space)}`,
    JSON.stringify(rows),
  );
  if (response.status !== 200) throw new Error(`RxDB push answered ${response.status}`);
  return JSON.parse(response.text) as WithDeleted<ItemDoc>[];
}

export const rxdbClient: ClientSystem = {
  async openReplica(target, start) {
    const { db, items } = await openDatabase();
    const initial = start.from === 'head' ? (start.head as Checkpoint) : undefined;
    const replication = replicateRxCollection<ItemDoc, Checkpoint>({
      collection: items,
      replicationIdentifier: `bench-${target.space}`,
      live: true,
      pull: { batchSize: BATCH, handler: pullHandler(target, initial) },
    });
    let failure: unknown;
    replication.error$.subscribe((error) => (failure ??= error));
    let first = true;
    return {
      async sync() {
        if (first) first = false;
        else await replication.reSync();
        await replication.awaitInSync();
        if (failure) throw failure;
      },
      count: () => items.count().exec(),
      async close() {
        await replication.cancel();
        await db.close();
      },
    };
  },
  pushRequest(target, _clientId, _firstId, records) {
    return {
      path: `/push?space=${encodeURIComponent(target.space)}`,
      headers: {},
      body: JSON.stringify(
        records.map((r) => ({ newDocumentState: { ...asDoc(r), _deleted: false } })),
      ),
    };
  },
  acknowledged(status, text, sent) {
    if (status !== 200) throw new Error(`RxDB push answered ${status}: ${text.slice(0, 200)}`);
    const conflicts = JSON.parse(text) as unknown[];
    if (conflicts.length > 0) throw new Error(`RxDB push met ${conflicts.length} conflicts`);
    return sent;
  },
  eventStream(target) {
    return {
      path: `/events?space=${encodeURIComponent(target.space)}`,
      headers: {},
      answersAtOnce: true,
      firstBytesWithinMs: 0,
    };
  },
  async openWriter(target) {
    const { db, items } = await openDatabase();
    const replication = replicateRxCollection<ItemDoc, Checkpoint>({
      collection: items,
      replicationIdentifier: `bench-writer-${target.space}`,
      live: true,
      push: { batchSize: BATCH, handler: (rows) => pushHandler(target, rows) },
    });
    await replication.awaitInitialReplication();
    return {
      async write(record) {
        await items.insert(asDoc(record));
      },
      async close() {
        await replication.awaitInSync();
        await replication.cancel();
        await db.close();
      },
    };
  },
  async openWatcher(target, onSeen) {
    const { db, items } = await openDatabase();
    const resync = new Subject<'RESYNC'>();
    // Every event, and every reconnect after an outage (as RxDB's docs ask of a pull
    // stream$), sends the replication through its checkpoint iteration.
    const stream = await openReconnectingStream(
      `${target.url}${rxdbClient.eventStream(target).path}`,
      { onData: () => resync.next('RESYNC'), onReopen: () => resync.next('RESYNC') },
    );
    const replication = replicateRxCollection<ItemDoc, Checkpoint>({
      collection: items,
      replicationIdentifier: `bench-watcher-${target.space}`,
      live: true,
      pull: { batchSize: BATCH, handler: pullHandler(target, undefined), stream$: resync },
    });
    await replication.awaitInitialReplication();
    const seen = new Set<string>();
    const subscription = items.find().$.subscribe((docs) => {
      for (const doc of docs) {
        if (seen.has(doc.id)) continue;
        seen.add(doc.id);
        onSeen(doc.id);
      }
    });
    return {
      async close() {
        subscription.unsubscribe();
        stream.close();
        await replication.cancel();
        await db.close();
      },
    };
  },
  async localLatency(records, samples) {
    const { db, items } = await openDatabase();
    await items.bulkInsert(records.map(asDoc));
    const waiting = new Map<string, () => void>();
    const subscription = items.find().$.subscribe((docs) => {
      for (const [key, done] of waiting) {
        if (docs.some((doc) => doc.id === key)) {
          waiting.delete(key);
          done();
        }
      }
    });
    const latencies: number[] = [];
    for (const sample of samples) {
      const seen = new Promise<void>((resolve) => waiting.set(sample.key, resolve));
      const started = performance.now();
      await items.insert(asDoc(sample));
      await seen;
      latencies.push(performance.now() - started);
    }
    subscription.unsubscribe();
    await db.close();
    return latencies;
  },
};
