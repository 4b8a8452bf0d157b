/**
 * The floor's client: `node:http` (through fetch), `JSON.parse`, and a plain bulk insert
 * of each page into the same memory store Ferry's client uses. Nothing else.
 */
import { createMemoryStore, type Store, type StoredRecord } from '@ferry/client';
import type { JsonObject } from '@ferry/protocol';
import type { FloorPullBody } from '../servers/floor.ts';
import type { BenchRecord } from '../types.ts';
import { openStream, postJson } from './http.ts';
import type { ClientSystem, Target } from './types.ts';

const COLLECTION = 'items';
const PAGE = 1000;

interface FloorPage {
  changes: { key: string; version: number; value: JsonObject }[];
  next: number;
  hasMore: boolean;
}

/** Pulls pages after `since` into `store`; returns the new position and the keys received. */
async function pullInto(
  target: Target,
  store: Store,
  since: number,
): Promise<{ since: number; keys: string[] }> {
  const keys: string[] = [];
  for (;;) {
    const body: FloorPullBody = { space: target.space, since, limit: PAGE };
    const response = await postJson(`${target.url}/pull`, JSON.stringify(body));
    if (response.status !== 200) throw new Error(`floor pull answered ${response.status}`);
    const page = JSON.parse(response.text) as FloorPage;
    const putRecords: StoredRecord[] = page.changes.map((c) => ({
      space: target.space,
      collection: COLLECTION,
      key: c.key,
      value: c.value,
      version: c.version,
    }));
    await store.commit({ putRecords });
    for (const c of page.changes) keys.push(c.key);
    since = page.next;
    if (!page.hasMore) return { since, keys };
  }
}

async function write(target: Target, records: BenchRecord[]): Promise<void> {
  const response = await postJson(
    `${target.url}/push`,
    JSON.stringify({ space: target.space, records }),
  );
  if (response.status !== 200) throw new Error(`floor push answered ${response.status}`);
}

export const floorClient: ClientSystem = {
  async openReplica(target, start) {
    const store = createMemoryStore();
    let since = start.from === 'head' ? (start.head as number) : 0;
    return {
      async sync() {
        since = (await pullInto(target, store, since)).since;
      },
      count: async () => (await store.listRecords(target.space, COLLECTION)).length,
      close: () => store.close(),
    };
  },
  pushRequest(target, _clientId, _firstId, records) {
    return { path: '/push', headers: {}, body: JSON.stringify({ space: target.space, records }) };
  },
  acknowledged(status, text, _sent) {
    if (status !== 200) throw new Error(`floor push answered ${status}: ${text.slice(0, 200)}`);
    return (JSON.parse(text) as { count: number }).count;
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
    return { write: (record) => write(target, [record]), close: async () => {} };
  },
  async openWatcher(target, onSeen) {
    const store = createMemoryStore();
    let since = 0;
    let pulling: Promise<void> | undefined;
    let again = false;
    const pull = () => {
      if (pulling) {
        again = true;
        return;
      }
      pulling = pullInto(target, store, since)
        .then((result) => {
          since = result.since;
          for (const key of result.keys) onSeen(key);
        })
        .catch((error: unknown) => {
          process.stderr.write(`floor watcher: ${error}\n`);
        })
        .finally(() => {
          pulling = undefined;
          if (again) {
            again = false;
            pull();
          }
        });
    };
    const stream = await openStream(
      `${target.url}${floorClient.eventStream(target).path}`,
      {},
      () => pull(),
    );
    pull();
    return {
      async close() {
        stream.close();
        await pulling;
      },
    };
  },
  async localLatency(records, samples) {
    // The floor of a live query: a plain insert into the store, then the collection read back.
    const store = createMemoryStore();
    const space = 'local';
    const asStored = (r: BenchRecord, version: number): StoredRecord => ({
      space,
      collection: COLLECTION,
      key: r.key,
      value: r.value,
      version,
    });
    await store.commit({ putRecords: records.map((r, i) => asStored(r, i + 1)) });
    const latencies: number[] = [];
    for (const sample of samples) {
      const started = performance.now();
      await store.commit({ putRecords: [asStored(sample, 0)] });
      const rows = await store.listRecords(space, COLLECTION);
      if (!rows.some((row) => row.key === sample.key)) throw new Error('floor lost a local write');
      latencies.push(performance.now() - started);
    }
    return latencies;
  },
};
