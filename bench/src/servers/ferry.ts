/**
 * Ferry's server, exactly as an app would run it: `createFerryServer` served by `listen`,
 * with the default options — compression included, whose `'auto'` mode does not compress
 * answers to a loopback client, so the bench measures what users get. One user may hold
 * any number of event streams here (see below).
 */
import { ROUTES } from '@ferry/protocol';
import { createFerryServer, type Database, type Logger, listen } from '@ferry/server';
import type { BenchRecord } from '../types.ts';
import { acceptedConnections } from './connections.ts';
import type { ServerSystem } from './types.ts';

export const BENCH_SECRET = 'bench-secret-long-enough-for-hs256-signatures!';

const ignore = () => {};
const silent: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Parallel push lanes while seeding, each with its own client id, so group commit can batch them. */
const SEED_LANES = 4;

export async function startFerryServer(database: Database): Promise<ServerSystem> {
  const start = () =>
    createFerryServer({
      database,
      jwtSecret: BENCH_SECRET,
      logger: silent,
      // W4, W5 and FANOUT hold thousands of idle streams under one token, standing in for as
      // many users; the per-user cap (32) would end all but the last of them. A cap no
      // workload reaches, rather than none, keeps each stream counted as in an app.
      limits: { maxEventStreamsPerUser: Number.MAX_SAFE_INTEGER },
    });
  const connections = acceptedConnections();
  let ferry = await start();
  let listening = await listen(ferry);
  const sign = (user: string, spaces: readonly string[]) =>
    ferry.signToken({ userId: user, spaces: [...spaces] }, 24 * 3600);
  let seedRuns = 0;
  let writes = 0;
  // In-process, through the same fetch handler the HTTP server uses; returns how many applied.
  const push = async (token: string, clientId: string, mutations: object[]) => {
    const response = await ferry.fetch(
      new Request(listening.url + ROUTES.push, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ clientId, mutations }),
      }),
    );
    if (!response.ok) throw new Error(`push failed: ${response.status}`);
    const body = (await response.json()) as { results: { status: string }[] };
    return body.results.filter((r) => r.status === 'applied').length;
  };

  return {
    url: listening.url,
    async seed(space, chunks) {
      const token = await sign(`seeder-${space}`, [space]);
      const run = ++seedRuns;
      const lanes = Array.from({ length: SEED_LANES }, (_, lane) => ({
        clientId: `seed-${run}-${lane}`,
        nextId: 1,
      }));
      const iterator = chunks[Symbol.iterator]();
      const pushLane = async (lane: (typeof lanes)[number]) => {
        for (let next = iterator.next(); !next.done; next = iterator.next()) {
          const mutations = next.value.map((r: BenchRecord) => ({
            id: lane.nextId++,
            space,
            collection: 'items',
            key: r.key,
            op: 'put',
            value: r.value,
          }));
          const applied = await push(token, lane.clientId, mutations);
          if (applied !== mutations.length) throw new Error('seeding push not fully applied');
        }
      };
      await Promise.all(lanes.map(pushLane));
    },
    async count(spaces) {
      // A verification query on Ferry's own table: live records only.
      const [row] = await database.query<{ n: string | number }>(
        'SELECT count(*) AS n FROM ferry_records WHERE space = ANY($1::text[]) AND value IS NOT NULL',
        [[...spaces]],
      );
      return Number(row?.n ?? 0);
    },
    async commitOne(space, record) {
      const token = await sign(`writer-${space}`, [space]);
      const mutation = { id: 1, space, collection: 'items', key: record.key, op: 'put' };
      const applied = await push(token, `writer-${++writes}`, [
        { ...mutation, value: record.value },
      ]);
      if (applied !== 1) throw new Error('the write was not applied');
    },
    head: async () => undefined,
    credential: (user, spaces) => sign(user, spaces),
    async outage(downMs) {
      // As a deploy would: the process's server closed (streams ended, listener shut), then
      // a new one over the same database on the same port.
      const { port } = listening;
      const closed = listening.close();
      connections.dropAll(port);
      await closed;
      await new Promise((resolve) => setTimeout(resolve, downMs));
      ferry = await start();
      listening = await listen(ferry, { port });
    },
    close: () => listening.close(),
  };
}
