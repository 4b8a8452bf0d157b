/**
 * A minimal pull/push endpoint for RxDB's replication protocol over PostgreSQL or PGlite,
 * written for the bench because `rxdb-server` does not install with RxDB's current major
 * version (and is SSPL-licensed). It does what the protocol asks and no more: pull pages
 * after a checkpoint, push with conflict detection against the assumed master state, and
 * an SSE stream that tells live clients to re-sync. Writers take sequence numbers one
 * transaction at a time (a locked counter row), so a pull never skips a commit. No auth.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database, Queryable } from '@ferry/server';
import type { BenchRecord } from '../types.ts';
import { readJson, SseTopics, sendJson } from './http-util.ts';
import type { ServerSystem } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rx_docs (
  space text NOT NULL, id text NOT NULL, data text NOT NULL, seq bigint NOT NULL,
  PRIMARY KEY (space, id));
CREATE INDEX IF NOT EXISTS rx_docs_space_seq ON rx_docs (space, seq);
CREATE TABLE IF NOT EXISTS rx_head (id int PRIMARY KEY, seq bigint NOT NULL);
INSERT INTO rx_head (id, seq) VALUES (1, 0) ON CONFLICT DO NOTHING;`;

type Doc = Record<string, unknown> & { id: string; _deleted: boolean };

export interface RxPushRow {
  assumedMasterState?: Doc;
  newDocumentState: Doc;
}

/** JSON with object keys sorted, so two equal documents compare equal as text. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** Writes the rows that do not conflict; returns the master state of those that do. */
async function push(db: Queryable, space: string, rows: readonly RxPushRow[]): Promise<Doc[]> {
  const [head] = await db.query<{ seq: string | number }>(
    'SELECT seq FROM rx_head WHERE id = 1 FOR UPDATE',
  );
  let seq = Number(head?.seq ?? 0);
  const ids = rows.map((r) => r.newDocumentState.id);
  const current = new Map<string, string>();
  for (const r of await db.query<{ id: string; data: string }>(
    'SELECT id, data FROM rx_docs WHERE space = $1 AND id = ANY($2::text[])',
    [space, ids],
  )) {
    current.set(r.id, r.data);
  }
  const conflicts: Doc[] = [];
  const writes = new Map<string, { data: string; seq: number }>();
  for (const row of rows) {
    const id = row.newDocumentState.id;
    const master = writes.get(id)?.data ?? current.get(id);
    if (master !== undefined) {
      const parsed = JSON.parse(master) as Doc;
      if (!row.assumedMasterState || canonical(row.assumedMasterState) !== canonical(parsed)) {
        conflicts.push(parsed);
        continue;
      }
    }
    writes.set(id, { data: JSON.stringify(row.newDocumentState), seq: ++seq });
  }
  if (writes.size > 0) {
    const list = [...writes.entries()];
    await db.query(
      `INSERT INTO rx_docs (space, id, data, seq)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (space, id) DO UPDATE SET data = excluded.data, seq = excluded.seq`,
      [space, list.map(([id]) => id), list.map(([, w]) => w.data), list.map(([, w]) => w.seq)],
    );
    await db.query('UPDATE rx_head SET seq = $1 WHERE id = 1', [seq]);
  }
  return conflicts;
}

async function pull(db: Queryable, space: string, since: number, limit: number): Promise<string> {
  const rows = await db.query<{ data: string; seq: string | number }>(
    'SELECT data, seq FROM rx_docs WHERE space = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [space, since, limit],
  );
  const last = rows.length > 0 ? Number(rows[rows.length - 1]!.seq) : since;
  return `{"documents":[${rows.map((r) => r.data).join(',')}],"checkpoint":{"seq":${last}}}`;
}

const asDoc = (r: BenchRecord): Doc => ({ id: r.key, ...r.value, _deleted: false });

export async function startRxdbEndpoint(database: Database): Promise<ServerSystem> {
  await database.exec(SCHEMA);
  const topics = new SseTopics();
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://rx');
      const space = url.searchParams.get('space') ?? '';
      if (request.method === 'POST' && url.pathname === '/pull') {
        const body = (await readJson(request)) as {
          checkpoint?: { seq: number };
          batchSize: number;
        };
        sendJson(
          response,
          200,
          await pull(database, space, body.checkpoint?.seq ?? 0, body.batchSize),
        );
      } else if (request.method === 'POST' && url.pathname === '/push') {
        const rows = (await readJson(request)) as RxPushRow[];
        const conflicts = await database.transaction((tx) => push(tx, space, rows));
        sendJson(response, 200, JSON.stringify(conflicts));
        if (conflicts.length < rows.length) topics.publish(space, 'RESYNC');
      } else if (request.method === 'GET' && url.pathname === '/events') {
        topics.open(space, request, response);
      } else {
        sendJson(response, 404, '{"error":"not found"}');
      }
    } catch (error) {
      sendJson(response, 500, JSON.stringify({ error: String(error) }));
    }
  });
  server.maxConnections = 100_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async seed(space, chunks) {
      for (const records of chunks) {
        const rows = records.map((r) => ({ newDocumentState: asDoc(r) }));
        const conflicts = await database.transaction((tx) => push(tx, space, rows));
        if (conflicts.length > 0) throw new Error('seeding the RxDB endpoint met conflicts');
      }
    },
    async count(spaces) {
      const [row] = await database.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM rx_docs WHERE space = ANY($1::text[])
         AND data NOT LIKE '%"_deleted":true%'`,
        [[...spaces]],
      );
      return Number(row?.n ?? 0);
    },
    async head(space) {
      const [row] = await database.query<{ s: string | number | null }>(
        'SELECT max(seq) AS s FROM rx_docs WHERE space = $1',
        [space],
      );
      return { seq: Number(row?.s ?? 0) };
    },
    async commitOne(space, record) {
      const conflicts = await database.transaction((tx) =>
        push(tx, space, [{ newDocumentState: asDoc(record) }]),
      );
      if (conflicts.length > 0) throw new Error('a write to the RxDB endpoint met a conflict');
      topics.publish(space, 'RESYNC');
    },
    credential: async () => '',
    async outage(downMs) {
      topics.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      topics.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
