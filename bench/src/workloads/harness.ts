/**
 * Runs one measurement "cell": a system on a storage, with its server host and client
 * host started fresh (child processes, or in this process for tests) and stopped after.
 * A failing cell becomes a failed check, so one peer's trouble does not end the run.
 */
import { type RunOptions, storagesOf } from '../config.ts';
import { clientHandlers } from '../hosts/client-host.ts';
import { type Host, inProcessHost, spawnHost } from '../hosts/rpc.ts';
import { createServerHandlers, type ServerHandlers } from '../hosts/server-host.ts';
import { progress } from '../progress.ts';
import { median } from '../stats.ts';
import {
  type CellResult,
  type Check,
  check,
  STORAGE_LABELS,
  type StorageName,
  SYSTEM_LABELS,
  type SystemName,
} from '../types.ts';

export type ServerHost = Host<ServerHandlers>;
export type ClientHost = Host<typeof clientHandlers>;

export interface Cell {
  system: SystemName;
  storage: StorageName;
  server: ServerHost;
  client: ClientHost;
  url: string;
  label: string;
}

/** How a workload reports its figures: label, unit, and which direction is better. */
export interface MetricSpec {
  key: string;
  label: string;
  better: 'higher' | 'lower';
}

export interface WorkloadResult {
  id: string;
  title: string;
  description: string;
  metrics: MetricSpec[];
  cells: CellResult[];
  notes: string[];
  /**
   * Columns of Ferry's own variants instead of systems: the first is the one measured, the
   * others its baselines (cells carry the `variant`).
   */
  columns?: { variant: string; label: string }[];
}

export async function openClientHost(run: RunOptions): Promise<ClientHost> {
  return run.inProcess ? inProcessHost(clientHandlers) : spawnHost('client');
}

type CellWork = (cell: Cell) => Promise<Omit<CellResult, 'system' | 'storage'>>;

/** A cell's server side: what stays up while client hosts come and go. */
export type ServerSide = Omit<Cell, 'client'>;

function cellLabel(system: SystemName, storage: StorageName): string {
  return `${SYSTEM_LABELS[system]} on ${STORAGE_LABELS[storage]}`;
}

/** A cell that did not run: its error as a failed check, so the run goes on. */
function failedCell(system: SystemName, storage: StorageName, error: unknown): CellResult {
  const message = error instanceof Error ? error.message : String(error);
  progress(`  ${cellLabel(system, storage)} failed: ${message}`);
  return { system, storage, metrics: {}, checks: [check('ran', false, message.split('\n')[0]!)] };
}

interface OpenedServer {
  side: ServerSide;
  close(): Promise<void>;
}

async function openServer(
  run: RunOptions,
  system: SystemName,
  storage: StorageName,
): Promise<OpenedServer> {
  const server: ServerHost = run.inProcess
    ? inProcessHost(createServerHandlers())
    : await spawnHost<ServerHandlers>('server');
  const close = async () => {
    await server.call('stop', {}).catch(() => {});
    await server.close();
  };
  try {
    const { url } = await server.call('start', { system, storage, postgresUrl: run.postgresUrl });
    return { side: { system, storage, server, url, label: cellLabel(system, storage) }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `work` on `side` with a client host started for it, and stopped after. */
async function withClient(run: RunOptions, side: ServerSide, work: CellWork) {
  const client = await openClientHost(run);
  try {
    return { system: side.system, storage: side.storage, ...(await work({ ...side, client })) };
  } finally {
    await client.close();
  }
}

export async function withCell(
  run: RunOptions,
  system: SystemName,
  storage: StorageName,
  work: CellWork,
): Promise<CellResult> {
  let opened: OpenedServer | undefined;
  try {
    opened = await openServer(run, system, storage);
    return await withClient(run, opened.side, work);
  } catch (error) {
    return failedCell(system, storage, error);
  } finally {
    await opened?.close();
  }
}

/**
 * Measures every cell in `rounds` rounds that go over the cells in turn. Each cell's server
 * is started once and kept for all its rounds (`prepare` seeds it once); each round gets a
 * client host started for it, so every round's client is a fresh process. A slow stretch
 * of the machine (it lasts seconds to minutes here) then falls on every system alike
 * instead of on whichever cell it happens to meet. `measure` gets the cell and a label
 * naming the round. Each cell's figures are the medians of its rounds, with their range; a
 * check passes only if it passed in every round.
 */
export async function inRoundsOverCells(
  run: RunOptions,
  rounds: number,
  prepare: (side: ServerSide) => Promise<void>,
  measure: (cell: Cell, round: string) => Promise<Omit<CellResult, 'system' | 'storage'>>,
): Promise<CellResult[]> {
  const live: { opened: OpenedServer | undefined; results: CellResult[] }[] = [];
  try {
    for (const { system, storage } of cellsOf(run)) {
      const entry = { opened: undefined as OpenedServer | undefined, results: [] as CellResult[] };
      live.push(entry);
      try {
        entry.opened = await openServer(run, system, storage);
        await prepare(entry.opened.side);
      } catch (error) {
        entry.results.push(failedCell(system, storage, error));
        await entry.opened?.close();
        entry.opened = undefined;
      }
    }
    for (let round = 1; round <= rounds; round++) {
      for (const { opened, results } of live) {
        if (!opened) continue;
        const { side } = opened;
        const name = rounds > 1 ? `${side.label}, round ${round}/${rounds}` : side.label;
        try {
          results.push(await withClient(run, side, (cell) => measure(cell, name)));
        } catch (error) {
          results.push(failedCell(side.system, side.storage, error));
        }
      }
    }
  } finally {
    for (const { opened } of live) await opened?.close();
  }
  return live.map(({ results }) => combineRounds(results));
}

/** How a workload's description says it ran in rounds; empty for a single round. */
export function roundsText(rounds: number, each: string): string {
  if (rounds <= 1) return '';
  return `Each figure is the median of ${rounds} rounds, each with ${each}, the rounds going over every system in turn (the range of the rounds in brackets).`;
}

/** One cell's result from its rounds: each figure's median and range, checks of every round. */
export function combineRounds(results: readonly CellResult[]): CellResult {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  const metrics: Record<string, number> = {};
  const spread: Record<string, [number, number]> = {};
  for (const key of keys) {
    const values = results.map((r) => r.metrics[key]).filter((v) => v !== undefined);
    metrics[key] = median(values);
    if (results.length > 1) spread[key] = [Math.min(...values), Math.max(...values)];
  }
  const { system, storage } = results[0]!;
  return {
    system,
    storage,
    metrics,
    checks: checksOfRounds(results),
    ...(results.length > 1 && keys.length > 0 ? { spread } : {}),
  };
}

/** One check per name over a cell's rounds: passed if it passed in every round. */
export function checksOfRounds(results: readonly CellResult[]): Check[] {
  const byName = new Map<string, Check[]>();
  for (const c of results.flatMap((r) => r.checks)) {
    byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  }
  return [...byName].map(([name, rounds]) => {
    const failed = rounds.filter((c) => !c.ok);
    return check(
      name,
      failed.length === 0 && rounds.length === results.length,
      failed.length === 0 ? rounds[0]!.detail : failed.map((c) => c.detail).join('; '),
    );
  });
}

/** Every (system, storage) pair the run covers, Ferry first. */
export function cellsOf(run: RunOptions): { system: SystemName; storage: StorageName }[] {
  return run.systems.flatMap((system) =>
    storagesOf(system, run.databases).map((storage) => ({ system, storage })),
  );
}

export function summarizeChecks(label: string, result: CellResult): void {
  const failed = result.checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    for (const c of failed) progress(`  ✗ ${label}: ${c.name} — ${c.detail}`);
  }
}
