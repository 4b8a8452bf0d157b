/**
 * The server side of a measurement, run in a process of its own so its memory is its
 * own: starts one system on one storage and answers the orchestrator's requests.
 */
import { makeRecord, recordChunks } from '../data.ts';
import { type BenchDatabase, openDatabase } from '../servers/database.ts';
import { startFerryServer } from '../servers/ferry.ts';
import { startFloorServer } from '../servers/floor.ts';
import { startPouchServer } from '../servers/pouchdb.ts';
import { startRxdbEndpoint } from '../servers/rxdb-endpoint.ts';
import type { ServerSystem } from '../servers/types.ts';
import { epochNow, sampleRss, settledMemory } from '../stats.ts';
import type { StorageName, SystemName } from '../types.ts';
import type { Handlers, NoArgs } from './rpc.ts';

export interface SeedArgs {
  space: string;
  prefix: string;
  from: number;
  count: number;
  valueBytes: number;
}

/**
 * ANALYZE the measurement's tables after a bulk load, as autovacuum would within a minute
 * on PostgreSQL (PGlite runs no autovacuum). Without statistics the planner reads every
 * row after a pull's position and sorts them instead of walking the (space, version)
 * index, so each page of an initial sync would cost as much as the rest of the data.
 */
async function refreshStatistics(database: BenchDatabase | undefined): Promise<void> {
  if (!database) return;
  const tables = await database.database.query<{ tablename: string }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = current_schema()',
  );
  for (const { tablename } of tables) await database.database.query(`ANALYZE "${tablename}"`);
}

/**
 * One host's handlers, with state of their own: a child process makes one set, and a run in
 * the orchestrator's process (tests) one per host, so that several servers can run at once.
 */
export function createServerHandlers() {
  let system: ServerSystem | undefined;
  let database: BenchDatabase | undefined;
  let peak: { stop(): number } | undefined;
  const running = (): ServerSystem => {
    if (!system) throw new Error('no server started');
    return system;
  };
  return {
    async start(args: { system: SystemName; storage: StorageName; postgresUrl: string }) {
      if (args.system === 'pouchdb') {
        system = await startPouchServer();
      } else {
        if (args.storage === 'leveldb') throw new Error(`${args.system} does not run on LevelDB`);
        database = await openDatabase(args.storage, args.postgresUrl);
        const start = { ferry: startFerryServer, floor: startFloorServer, rxdb: startRxdbEndpoint }[
          args.system
        ];
        system = await start(database.database);
      }
      return { url: system.url };
    },
    async seed(args: SeedArgs) {
      const started = performance.now();
      const chunks = recordChunks(args.prefix, args.from, args.count, args.valueBytes, 1000);
      await running().seed(args.space, chunks);
      await refreshStatistics(database);
      return { ms: performance.now() - started };
    },
    count: (args: { spaces: string[] }) => running().count(args.spaces),
    /** One write (fan-out); when it began and when it was committed, in ms since the epoch. */
    async commitOne(args: { space: string; index: number; valueBytes: number }) {
      const record = makeRecord('poke-', args.index, args.valueBytes);
      const startedAt = epochNow();
      await running().commitOne(args.space, record);
      return { startedAt, committedAt: epochNow() };
    },
    /** RECOVER: the server down for `downMs`, then up again; when it answered again (epoch ms). */
    async outage(args: { downMs: number }) {
      const server = running();
      if (!server.outage) throw new Error('this system cannot be restarted in place');
      await server.outage(args.downMs);
      return { answeringAt: epochNow() };
    },
    head: (args: { space: string }) => running().head(args.space),
    credential: (args: { user: string; spaces: string[] }) =>
      running().credential(args.user, args.spaces),
    async credentials(args: { users: { user: string; spaces: string[] }[] }) {
      const out: string[] = [];
      for (const { user, spaces } of args.users) out.push(await running().credential(user, spaces));
      return out;
    },
    memory: (_args: NoArgs) => settledMemory(),
    async peakStart(_args: NoArgs) {
      // Collected first, so the peak is the sync's and not what seeding left to collect:
      // seeding paths differ between systems far more than serving does.
      await settledMemory();
      peak = sampleRss();
    },
    async peakStop(_args: NoArgs) {
      const value = peak?.stop() ?? 0;
      peak = undefined;
      return value;
    },
    async stop(_args: NoArgs) {
      await system?.close();
      await database?.dispose();
      system = undefined;
      database = undefined;
    },
  } satisfies Handlers;
}

export type ServerHandlers = ReturnType<typeof createServerHandlers>;
