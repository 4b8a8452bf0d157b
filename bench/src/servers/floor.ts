/**
 * The floor: the least a sync server can do with the same bytes and the same database.
 * Bare `node:http`, `JSON.parse`, one bulk INSERT per request, one range scan per pull,
 * SSE pokes. No authentication, no exactly-once, no ordering guarantee for concurrent
 * writers: every figure of Ferry is also read as a distance from this one.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '@ferry/server';
import { readJson, SseTopics, sendJson } from './http-util.ts';
import type { ServerSystem } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS floor_records (
  space text NOT NULL, key text NOT NULL, value text NOT NULL, version bigint NOT NULL,
  PRIMARY KEY (space, key));
CREATE INDEX IF NOT EXISTS floor_records_space_version ON floor_records (space, version);
CREATE SEQUENCE IF NOT EXISTS floor_version;`;

export interface FloorPushBody {
  space: string;
  records: { key: string; value: unknown }[];
}

export interface FloorPullBody {
  space: string;
  since: number;
  limit: number;
}

async function insert(database: Database, body: FloorPushBody): Promise<void> {
  await database.query(
    `INSERT INTO floor_records (space, key, value, version)
     SELECT $1, k, v, nextval('floor_version') FROM unnest($2::text[], $3::text[]) AS t(k, v)
     ON CONFLICT (space, key) DO UPDATE SET value = excluded.value, version = excluded.version`,
    [body.space, body.records.map((r) => r.key), body.records.map((r) => JSON.stringify(r.value))],
  );
}

async function pull(database: Database, body: FloorPullBody): Promise<string> {
  const rows = await database.query<{ key: string; value: string; version: string | number }>(
    `SELECT key, value, version FROM floor_records WHERE space = $1 AND version > $2
     ORDER BY version LIMIT $3`,
    [body.space, body.since, body.limit + 1],
  );
  const hasMore = rows.length > body.limit;
  const page = hasMore ? rows.slice(0, body.limit) : rows;
  const next = page.length > 0 ? Number(page[page.length - 1]!.version) : body.since;
  const changes = page.map(
    (r) => `{"key":${JSON.stringify(r.key)},"version":${Number(r.version)},"value":${r.value}}`,
  );
  return `{"changes":[${changes.join(',')}],"next":${next},"hasMore":${hasMore}}`;
}

export async function startFloorServer(database: Database): Promise<ServerSystem> {
  await database.exec(SCHEMA);
  const topics = new SseTopics();
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://floor');
      if (request.method === 'POST' && url.pathname === '/push') {
        const body = (await readJson(request)) as FloorPushBody;
        await insert(database, body);
        sendJson(response, 200, `{"ok":true,"count":${body.records.length}}`);
        topics.publish(body.space, 'poke');
      } else if (request.method === 'POST' && url.pathname === '/pull') {
        sendJson(response, 200, await pull(database, (await readJson(request)) as FloorPullBody));
      } else if (request.method === 'GET' && url.pathname === '/events') {
        topics.open(url.searchParams.get('space') ?? '', request, response);
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
      for (const records of chunks) await insert(database, { space, records });
    },
    async count(spaces) {
      const [row] = await database.query<{ n: string | number }>(
        'SELECT count(*) AS n FROM floor_records WHERE space = ANY($1::text[])',
        [[...spaces]],
      );
      return Number(row?.n ?? 0);
    },
    async head(space) {
      const [row] = await database.query<{ v: string | number | null }>(
        'SELECT max(version) AS v FROM floor_records WHERE space = $1',
        [space],
      );
      return Number(row?.v ?? 0);
    },
    async commitOne(space, record) {
      await insert(database, { space, records: [record] });
      topics.publish(space, 'poke');
    },
    credential: async () => '',
    async close() {
      topics.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
