/// <reference path="../pouchdb.d.ts" />
/**
 * PouchDB's side: local databases on PouchDB's memory adapter, replicating with the
 * express-pouchdb server over the CouchDB protocol.
 */
import PouchDB from 'pouchdb';
import memoryAdapter from 'pouchdb-adapter-memory';
import type { BenchRecord } from '../types.ts';
import type { ClientSystem, Target } from './types.ts';

PouchDB.plugin(memoryAdapter);

const BATCH = 1000;
const HEARTBEAT_MS = 10_000;
let databases = 0;

function localDb(): PouchDB.Database {
  return new PouchDB(`bench-${process.pid}-${++databases}`, { adapter: 'memory' });
}

/**
 * In an outage PouchDB's replication leaves the rejection of a request cut short ("socket
 * hang up") unhandled, and Node ends a process on an unhandled rejection where a browser
 * logs it and carries on. The live clients of RECOVER stand for browsers, so that one
 * error is let pass, as a browser would; any other still ends the process.
 */
let toleratingHangUps = false;
function tolerateHangUps(): void {
  if (toleratingHangUps) return;
  toleratingHangUps = true;
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof Error && /socket hang up|ECONNRESET/.test(reason.message)) return;
    throw reason;
  });
}

const remote = (target: Target) => `${target.url}/${encodeURIComponent(target.space)}`;
const asDoc = (r: BenchRecord): PouchDB.Doc => ({ _id: r.key, ...r.value });

async function ensureRemote(target: Target): Promise<void> {
  const response = await fetch(remote(target), { method: 'PUT' });
  if (response.status !== 201 && response.status !== 412) {
    throw new Error(`creating ${remote(target)} answered ${response.status}`);
  }
}

export const pouchClient: ClientSystem = {
  async openReplica(target, start) {
    const db = localDb();
    let since = start.from === 'head' ? (start.head as number | string) : undefined;
    return {
      async sync() {
        // A first sync from the head starts at the server's sequence; later ones resume
        // from the checkpoint the replication stored, as any PouchDB app's would.
        const options = since === undefined ? {} : { since };
        since = undefined;
        await db.replicate.from(remote(target), { batch_size: BATCH, ...options });
      },
      count: async () => (await db.info()).doc_count,
      close: () => db.destroy(),
    };
  },
  prepare: ensureRemote,
  pushRequest(target, _clientId, _firstId, records) {
    return {
      path: `/${encodeURIComponent(target.space)}/_bulk_docs`,
      headers: {},
      body: JSON.stringify({ docs: records.map(asDoc) }),
    };
  },
  acknowledged(status, text, _sent) {
    if (status !== 201 && status !== 200) {
      throw new Error(`_bulk_docs answered ${status}: ${text.slice(0, 200)}`);
    }
    const results = JSON.parse(text) as { ok?: boolean; error?: string }[];
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) throw new Error(`_bulk_docs refused ${failed.length} documents`);
    return results.length;
  },
  eventStream(target) {
    return {
      // PouchDB replication's own heartbeat; express-pouchdb sends the headers with the first one.
      path: `/${encodeURIComponent(target.space)}/_changes?feed=continuous&heartbeat=${HEARTBEAT_MS}&since=now`,
      headers: {},
      answersAtOnce: false,
      firstBytesWithinMs: 2 * HEARTBEAT_MS + 10_000,
    };
  },
  async openWriter(target) {
    await ensureRemote(target);
    const db = localDb();
    const replication = db.replicate.to(remote(target), { live: true, retry: true });
    return {
      async write(record) {
        await db.put(asDoc(record));
      },
      async close() {
        replication.cancel();
        await db.destroy();
      },
    };
  },
  async openWatcher(target, onSeen) {
    tolerateHangUps();
    await ensureRemote(target);
    const db = localDb();
    const replication = db.replicate.from(remote(target), { live: true, retry: true });
    const changes = db.changes({ live: true, since: 'now' }).on('change', (change) => {
      onSeen(change.id);
    });
    return {
      async close() {
        changes.cancel();
        replication.cancel();
        await db.destroy();
      },
    };
  },
  async localLatency(records, samples) {
    // PouchDB has no live queries: an app listens to the changes feed and queries again.
    const db = localDb();
    await db.bulkDocs(records.map(asDoc));
    const waiting = new Map<string, () => void>();
    const changes = db.changes({ live: true, since: 'now' }).on('change', async () => {
      const { rows } = await db.allDocs({ include_docs: true });
      for (const [key, done] of waiting) {
        if (rows.some((row) => row.id === key)) {
          waiting.delete(key);
          done();
        }
      }
    });
    const latencies: number[] = [];
    for (const sample of samples) {
      const seen = new Promise<void>((resolve) => waiting.set(sample.key, resolve));
      const started = performance.now();
      await db.put(asDoc(sample));
      await seen;
      latencies.push(performance.now() - started);
    }
    changes.cancel();
    await db.destroy();
    return latencies;
  },
};
