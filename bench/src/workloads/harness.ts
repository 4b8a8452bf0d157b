/**
 * Runs one measurement "cell": a system on a storage, with its server host and client
 * host started fresh (child processes, or in this process for tests) and stopped after.
 * A failing cell becomes a failed check, so one peer's trouble does not end the run.
 */
import { type RunOptions, storagesOf } from '../config.ts';
import { clientHandlers } from '../hosts/client-host.ts';
import { type Host, inProcessHost, spawnHost } from '../hosts/rpc.ts';
import { serverHandlers } from '../hosts/server-host.ts';
import { progress } from '../progress.ts';
import {
  type CellResult,
  check,
  STORAGE_LABELS,
  type StorageName,
  SYSTEM_LABELS,
  type SystemName,
} from '../types.ts';

export type ServerHost = Host<typeof serverHandlers>;
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

export async function withCell(
  run: RunOptions,
  system: SystemName,
  storage: StorageName,
  work: (cell: Cell) => Promise<Omit<CellResult, 'system' | 'storage'>>,
): Promise<CellResult> {
  const label = `${SYSTEM_LABELS[system]} on ${STORAGE_LABELS[storage]}`;
  const server: ServerHost = run.inProcess
    ? inProcessHost(serverHandlers)
    : await spawnHost<typeof serverHandlers>('server');
  let client: ClientHost | undefined;
  try {
    client = await openClientHost(run);
    const { url } = await server.call('start', { system, storage, postgresUrl: run.postgresUrl });
    return { system, storage, ...(await work({ system, storage, server, client, url, label })) };
  } catch (error) {
    progress(`  ${label} failed: ${error instanceof Error ? error.message : String(error)}`);
    return {
      system,
      storage,
      metrics: {},
      checks: [
        check('ran', false, error instanceof Error ? error.message.split('\n')[0]! : String(error)),
      ],
    };
  } finally {
    await server.call('stop', {}).catch(() => {});
    await server.close();
    await client?.close();
  }
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
