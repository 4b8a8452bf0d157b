/** Names shared by every part of the bench. */
import type { JsonObject } from '@ferry/protocol';

export type SystemName = 'ferry' | 'floor' | 'rxdb' | 'pouchdb';

/** Where a server keeps its data. PouchDB's server has storage of its own, LevelDB. */
export type StorageName = 'postgres' | 'pglite' | 'memory' | 'leveldb';

export const SYSTEM_LABELS: Record<SystemName, string> = {
  ferry: 'Ferry',
  floor: 'floor',
  rxdb: 'RxDB',
  pouchdb: 'PouchDB',
};

export const STORAGE_LABELS: Record<StorageName, string> = {
  postgres: 'PostgreSQL',
  pglite: 'PGlite',
  memory: 'PGlite in memory',
  leveldb: 'LevelDB',
};

/** One record as every system carries it: a key and a JSON object of the chosen size. */
export interface BenchRecord {
  key: string;
  value: JsonObject;
}

/** What a check found: a workload passes only when every check does. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The figures of one system on one storage for one workload. */
export interface CellResult {
  system: SystemName;
  storage: StorageName | 'none';
  metrics: Record<string, number>;
  /** For a figure measured in rounds (its median in `metrics`): the lowest and highest round. */
  spread?: Record<string, [number, number]>;
  checks: Check[];
  notes?: string[];
  /** Which column of a workload with `columns` (e.g. the engine in a worker or in the page). */
  variant?: string;
}

export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

export function countCheck(name: string, expected: number, actual: number): Check {
  return check(name, expected === actual, `expected ${expected}, found ${actual}`);
}

/** The checks of a workload that opens idle event streams: all of them, and none refused. */
export function streamsOpenChecks(
  wanted: number,
  opened: { opened: number; failures: readonly string[] },
): Check[] {
  return [
    countCheck('streams open', wanted, opened.opened),
    check('no stream refused', opened.failures.length === 0, opened.failures.join('; ') || 'none'),
  ];
}
