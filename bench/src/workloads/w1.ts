/** W1: initial sync of many ~1 KB records to a fresh client. */
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { MiB } from '../stats.ts';
import { countCheck } from '../types.ts';
import {
  type Cell,
  inRoundsOverCells,
  roundsText,
  type ServerSide,
  summarizeChecks,
  type WorkloadResult,
} from './harness.ts';

export async function runW1(run: RunOptions): Promise<WorkloadResult> {
  const { w1Records: records, w1ValueBytes: valueBytes } = run.sizes;
  const result: WorkloadResult = {
    id: 'W1',
    title: `Initial sync of ${records.toLocaleString('en-US')} records of ~${valueBytes} B to a fresh client`,
    description: `A fresh client in a process of its own pulls one space to the end into its local store (Node, in memory), against a server in another process. Page size 1,000 for every system. Peak RSS is sampled every 20 ms in each process during the sync, the server's after a full garbage collection (so that it does not count what seeding left behind). ${roundsText(run.sizes.w1Rounds, 'a client process started for it, against the server seeded once')}`,
    metrics: [
      { key: 'recordsPerSecond', label: 'records/s', better: 'higher' },
      { key: 'seconds', label: 'time (s)', better: 'lower' },
      { key: 'clientPeakMiB', label: 'client peak RSS (MiB)', better: 'lower' },
      { key: 'serverPeakMiB', label: 'server peak RSS (MiB)', better: 'lower' },
    ],
    cells: [],
    notes: [],
  };
  const prepare = async ({ server, label }: ServerSide) => {
    progress(`W1 ${label}: seeding ${records.toLocaleString('en-US')} records`);
    await server.call('seed', { space: 'w1', prefix: 'r', from: 0, count: records, valueBytes });
  };
  // Every round's client is a process started for it (see inRoundsOverCells), so each
  // sync is a first one.
  const measure = async ({ system, server, client, url }: Cell, name: string) => {
    const credential = await server.call('credential', { user: 'w1user', spaces: ['w1'] });
    const target = { url, credential, space: 'w1' };
    const id = await client.call('replicaOpen', { system, target, start: { from: 'beginning' } });
    progress(`W1 ${name}: initial sync`);
    await server.call('peakStart', {});
    const sync = await client.call('replicaSync', { id });
    const serverPeak = await server.call('peakStop', {});
    const local = await client.call('replicaCount', { id });
    await client.call('replicaClose', { id });
    const stored = await server.call('count', { spaces: ['w1'] });
    const metrics = {
      recordsPerSecond: records / (sync.ms / 1000),
      seconds: sync.ms / 1000,
      clientPeakMiB: sync.peakRss / MiB,
      serverPeakMiB: serverPeak / MiB,
    };
    progress(`W1 ${name}: ${Math.round(metrics.recordsPerSecond)} records/s`);
    return {
      metrics,
      checks: [
        countCheck('server holds every record', records, stored),
        countCheck('client holds every record, once', records, local),
      ],
    };
  };
  result.cells = await inRoundsOverCells(run, run.sizes.w1Rounds, prepare, measure);
  for (const cell of result.cells) summarizeChecks(`W1 ${cell.system}/${cell.storage}`, cell);
  return result;
}
