/**
 * Profiles and sizes. `full` uses the sizes of the benchmark issue; `quick` runs every
 * workload at CI size, checking correctness without asserting any time; `smoke` is the
 * smallest, for the test suite. Any size can be overridden with `--set name=value`.
 */
import type { StorageName, SystemName } from './types.ts';

export interface Sizes {
  /** W1: records in the initial sync, the size of each value in bytes, timed syncs per cell. */
  w1Records: number;
  w1ValueBytes: number;
  w1Rounds: number;
  /** W2: the small and the large data set, and the no-op pulls timed on each. */
  w2SmallRecords: number;
  w2LargeRecords: number;
  w2Pulls: number;
  /** Value size of the W2 and W8 data sets. */
  largeValueBytes: number;
  /** W3: clients, mutations per second per client, seconds of load. */
  w3Clients: number;
  w3RatePerClient: number;
  w3Seconds: number;
  /** W4: connected clients (writer and watcher included), timed writes per round, rounds. */
  w4Clients: number;
  w4Samples: number;
  w4Rounds: number;
  /** W4D: writes on A, and the pause between two write calls in ms. */
  w4dSamples: number;
  w4dEveryMs: number;
  /** W5: idle event streams. */
  w5Streams: number;
  /** W7: records already in the collection (one run per entry) and timed writes. */
  w7Records: number[];
  w7Samples: number;
  /** W8: changes per timed catch-up, and timed catch-ups; the data set is W2's large one. */
  w8Changes: number;
  w8Rounds: number;
  /** W1B: records pulled into IndexedDB in Chromium (values of `w1ValueBytes`). */
  w1bRecords: number;
  /** BOOT: records (of `largeValueBytes`) a page bootstraps into IndexedDB, engine in a worker or not. */
  bootRecords: number;
  /** FANOUT: idle event streams one write's poke goes to, and timed writes per cell. */
  fanoutStreams: number;
  fanoutRounds: number;
  /** RECOVER: live clients, and how long the server is down each time (seconds). */
  recoverClients: number;
  recoverDownSeconds: number[];
  /** W3L: W3's light load — clients, mutations per second per client, seconds of load. */
  w3lClients: number;
  w3lRatePerClient: number;
  w3lSeconds: number;
}

export type ProfileName = 'quick' | 'full' | 'smoke';

export const PROFILES: Record<ProfileName, Sizes> = {
  full: {
    w1Records: 100_000,
    w1ValueBytes: 1024,
    w1Rounds: 3,
    w2SmallRecords: 1_000,
    w2LargeRecords: 1_000_000,
    w2Pulls: 1_000,
    largeValueBytes: 200,
    w3Clients: 1_000,
    w3RatePerClient: 10,
    w3Seconds: 60,
    w4Clients: 1_000,
    w4Samples: 200,
    w4Rounds: 3,
    w4dSamples: 200,
    w4dEveryMs: 100,
    w5Streams: 10_000,
    w7Records: [1_000, 10_000],
    w7Samples: 200,
    w8Changes: 10_000,
    w8Rounds: 3,
    w1bRecords: 100_000,
    bootRecords: 50_000,
    fanoutStreams: 10_000,
    fanoutRounds: 3,
    recoverClients: 1_000,
    recoverDownSeconds: [20, 60],
    w3lClients: 50,
    w3lRatePerClient: 20,
    w3lSeconds: 30,
  },
  quick: {
    w1Records: 5_000,
    w1ValueBytes: 1024,
    w1Rounds: 2,
    w2SmallRecords: 1_000,
    w2LargeRecords: 20_000,
    w2Pulls: 200,
    largeValueBytes: 200,
    w3Clients: 50,
    w3RatePerClient: 10,
    w3Seconds: 3,
    w4Clients: 50,
    w4Samples: 20,
    w4Rounds: 2,
    w4dSamples: 20,
    w4dEveryMs: 100,
    w5Streams: 500,
    w7Records: [1_000],
    w7Samples: 50,
    w8Changes: 1_000,
    w8Rounds: 2,
    w1bRecords: 2_000,
    bootRecords: 2_000,
    fanoutStreams: 200,
    fanoutRounds: 2,
    recoverClients: 100,
    recoverDownSeconds: [2, 5],
    w3lClients: 50,
    w3lRatePerClient: 20,
    w3lSeconds: 3,
  },
  smoke: {
    w1Records: 300,
    w1ValueBytes: 1024,
    w1Rounds: 2,
    w2SmallRecords: 50,
    w2LargeRecords: 500,
    w2Pulls: 10,
    largeValueBytes: 200,
    w3Clients: 5,
    w3RatePerClient: 10,
    w3Seconds: 1,
    w4Clients: 4,
    w4Samples: 3,
    w4Rounds: 2,
    w4dSamples: 3,
    w4dEveryMs: 100,
    w5Streams: 10,
    w7Records: [20],
    w7Samples: 5,
    w8Changes: 100,
    w8Rounds: 2,
    w1bRecords: 200,
    bootRecords: 200,
    fanoutStreams: 10,
    fanoutRounds: 2,
    recoverClients: 5,
    recoverDownSeconds: [1],
    w3lClients: 5,
    w3lRatePerClient: 20,
    w3lSeconds: 1,
  },
};

export const WORKLOADS = [
  'W1',
  'W1B',
  'W2',
  'W3',
  'W3L',
  'W4',
  'W4D',
  'W5',
  'FANOUT',
  'RECOVER',
  'W7',
  'W8',
  'BOOT',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** Workloads measured in Chromium: not run in process (the test suite's smallest profile). */
export const BROWSER_WORKLOADS: readonly WorkloadName[] = ['W1B', 'BOOT'];

export const SYSTEMS: readonly SystemName[] = ['ferry', 'floor', 'rxdb', 'pouchdb'];
export const DATABASES: readonly StorageName[] = ['postgres', 'pglite'];
/**
 * Storages a run may name besides: `memory`, PGlite with no data folder, for figures beside
 * peers whose servers keep their data in memory (W4-mem). Not run unless asked for.
 */
const MORE_DATABASES: readonly StorageName[] = ['memory'];

export interface RunOptions {
  profile: ProfileName;
  sizes: Sizes;
  workloads: WorkloadName[];
  systems: SystemName[];
  databases: StorageName[];
  /** Run hosts in this process instead of child processes (tests; no memory figures). */
  inProcess: boolean;
  /** Where to write the report; undefined writes none. */
  out: string | undefined;
  postgresUrl: string;
}

/** The storages a system runs on: PouchDB's server keeps its own, whatever the database asked for. */
export function storagesOf(system: SystemName, databases: readonly StorageName[]): StorageName[] {
  if (system === 'pouchdb') return ['leveldb'];
  return databases.filter((d) => d !== 'leveldb');
}

function parseList<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value.split(',').map((v) => v.trim());
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      throw new Error(`${flag}: "${item}" is not one of ${allowed.join(', ')}`);
    }
  }
  return items as T[];
}

function applySetting(sizes: Sizes, setting: string): void {
  const [name, value] = setting.split('=');
  if (name === undefined || value === undefined || !(name in sizes)) {
    throw new Error(
      `--set ${setting}: expected name=value with name one of ${Object.keys(sizes).join(', ')}`,
    );
  }
  const key = name as keyof Sizes;
  if (key === 'w7Records' || key === 'recoverDownSeconds')
    sizes[key] = value.split(',').map(Number);
  else sizes[key] = Number(value);
}

export const USAGE = `npm run bench -- [--quick | --full | --profile quick|full|smoke]
  [--only W1,W3] [--systems ferry,floor,rxdb,pouchdb] [--databases postgres,pglite,memory]
  [--set name=value ...] [--out docs/benchmarks.md | --no-report]
  [--render bench/results/full.ndjson]   re-render a saved run, measuring nothing
Sizes (--set): ${Object.keys(PROFILES.full).join(', ')}`;

export function parseArgs(argv: readonly string[], defaultOut: string): RunOptions {
  let profile: ProfileName = 'full';
  const settings: string[] = [];
  let workloads: WorkloadName[] = [...WORKLOADS];
  let systems: SystemName[] = [...SYSTEMS];
  let databases: StorageName[] = [...DATABASES];
  let out: string | undefined = defaultOut;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (arg === '--quick') profile = 'quick';
    else if (arg === '--full') profile = 'full';
    else if (arg === '--profile') profile = parseList(next(), ['quick', 'full', 'smoke'], arg)[0]!;
    else if (arg === '--only') workloads = parseList(next().toUpperCase(), WORKLOADS, arg);
    else if (arg === '--systems') systems = parseList(next(), SYSTEMS, arg);
    else if (arg === '--databases')
      databases = parseList(next(), [...DATABASES, ...MORE_DATABASES], arg);
    else if (arg === '--set') settings.push(next());
    else if (arg === '--out') out = next();
    else if (arg === '--no-report') out = undefined;
    else if (arg === '--render') next();
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!systems.includes('ferry')) systems.unshift('ferry');
  const sizes = structuredClone(PROFILES[profile]);
  for (const setting of settings) applySetting(sizes, setting);
  return {
    profile,
    sizes,
    workloads,
    systems,
    databases,
    inProcess: false,
    out,
    postgresUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
}
