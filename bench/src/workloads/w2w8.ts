/**
 * W2: no-op incremental pulls against a small and a large data set — the cost must not
 * grow with the data. W8: catch-up of many changes after being offline, against the
 * large data set. Both share one seeded server per system and storage.
 */
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { percentile } from '../stats.ts';
import { type CellResult, type Check, countCheck } from '../types.ts';
import {
  type Cell,
  cellsOf,
  combineRounds,
  summarizeChecks,
  type WorkloadResult,
  withCell,
} from './harness.ts';

/** Seeds `records` records, opens an empty replica at the head, times `pulls` no-op pulls. */
async function noopPulls(cell: Cell, space: string, records: number, run: RunOptions) {
  const { server, client, url, system, label } = cell;
  progress(`W2 ${label}: seeding ${records.toLocaleString('en-US')} records`);
  await server.call('seed', {
    space,
    prefix: 'r',
    from: 0,
    count: records,
    valueBytes: run.sizes.largeValueBytes,
  });
  const credential = await server.call('credential', { user: `${space}user`, spaces: [space] });
  const head = await server.call('head', { space });
  const target = { url, credential, space };
  progress(`W2 ${label}: client to the head of ${records.toLocaleString('en-US')} records`);
  const id = await client.call('replicaOpen', { system, target, start: { from: 'head', head } });
  await client.call('replicaSyncs', { id, count: Math.min(20, run.sizes.w2Pulls) }); // warm-up
  const latencies = await client.call('replicaSyncs', { id, count: run.sizes.w2Pulls });
  const local = await client.call('replicaCount', { id });
  const totalMs = latencies.reduce((a, b) => a + b, 0);
  return {
    id,
    target,
    metrics: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      pullsPerSecond: latencies.length / (totalMs / 1000),
    },
    checks: [countCheck('a no-op pull brings nothing', 0, local)] as Check[],
  };
}

export async function runW2W8(
  run: RunOptions,
  wanted: { w2: boolean; w8: boolean },
): Promise<WorkloadResult[]> {
  const { w2SmallRecords: small, w2LargeRecords: large, w8Changes: changes, w8Rounds } = run.sizes;
  const fmt = (n: number) => n.toLocaleString('en-US');
  const w2: WorkloadResult = {
    id: 'W2',
    title: `No-op incremental pull against ${fmt(large)} stored records vs ${fmt(small)}`,
    description:
      'A client already at the head pulls again, one pull after another, and finds nothing new. The client starts empty at the head of the space (PouchDB: `since` the update sequence, then its own checkpoint; RxDB: the endpoint checkpoint; floor: the version; Ferry: a full sync whose records the store drops, as the cursor is opaque). Each figure is the whole client-side call: `client.sync()`, `replicate.from()`, `reSync()` + `awaitInSync()`.',
    metrics: [
      { key: 'smallP50', label: `p50 (ms), ${fmt(small)} records`, better: 'lower' },
      { key: 'largeP50', label: `p50 (ms), ${fmt(large)} records`, better: 'lower' },
      { key: 'smallP99', label: `p99 (ms), ${fmt(small)} records`, better: 'lower' },
      { key: 'largeP99', label: `p99 (ms), ${fmt(large)} records`, better: 'lower' },
      { key: 'smallPullsPerSecond', label: `pulls/s, ${fmt(small)} records`, better: 'higher' },
      { key: 'largePullsPerSecond', label: `pulls/s, ${fmt(large)} records`, better: 'higher' },
      { key: 'growth', label: 'p50 large ÷ p50 small', better: 'lower' },
    ],
    cells: [],
    notes: [],
  };
  const w8: WorkloadResult = {
    id: 'W8',
    title: `Catch-up of ${fmt(changes)} changes after being offline, against ${fmt(large)} stored records`,
    description: `A client at the head of ${fmt(large)} records goes offline; ${fmt(changes)} new records of ~${run.sizes.largeValueBytes} B are written; the client's next sync is timed until all of them are in its local store. An untimed round of ${fmt(Math.max(1, Math.round(changes / 10)))} changes comes first, so every system's catch-up path is warm.${w8Rounds > 1 ? ` The figure is the median of ${w8Rounds} such catch-ups in a row, each of ${fmt(changes)} new changes (the range in brackets).` : ''}`,
    metrics: [
      { key: 'ms', label: 'catch-up (ms)', better: 'lower' },
      { key: 'changesPerSecond', label: 'changes/s', better: 'higher' },
    ],
    cells: [],
    notes: [],
  };
  for (const { system, storage } of cellsOf(run)) {
    let smallCell: CellResult | undefined;
    if (wanted.w2) {
      smallCell = await withCell(run, system, storage, async (cell) => {
        const { metrics, checks } = await noopPulls(cell, 'w2s', small, run);
        return { metrics, checks };
      });
    }
    const largeCell = await withCell(run, system, storage, async (cell) => {
      const pulls = await noopPulls(cell, 'w2l', large, run);
      if (!wanted.w8) return { metrics: pulls.metrics, checks: pulls.checks };
      const { server, client, label } = cell;
      // A first, untimed round warms every system's catch-up path (JIT, statements), so
      // the timed round compares steady states rather than first calls.
      const warm = Math.max(1, Math.round(changes / 10));
      const write = (prefix: string, count: number) =>
        server.call('seed', {
          space: 'w2l',
          prefix,
          from: 0,
          count,
          valueBytes: run.sizes.largeValueBytes,
        });
      await write('w', warm);
      await client.call('replicaSync', { id: pulls.id });
      const catchUps: CellResult[] = [];
      for (let round = 1; round <= w8Rounds; round++) {
        const name = w8Rounds > 1 ? `${label}, catch-up ${round}/${w8Rounds}` : label;
        progress(`W8 ${name}: ${fmt(changes)} changes while the client is offline`);
        await write(`c${round}-`, changes);
        const sync = await client.call('replicaSync', { id: pulls.id });
        const metrics = { ms: sync.ms, changesPerSecond: changes / (sync.ms / 1000) };
        catchUps.push({ system, storage, metrics, checks: [] });
        progress(`W8 ${name}: caught up in ${Math.round(sync.ms)} ms`);
      }
      const local = await client.call('replicaCount', { id: pulls.id });
      const stored = await server.call('count', { spaces: ['w2l'] });
      const written = warm + w8Rounds * changes;
      const { metrics, spread } = combineRounds(catchUps);
      return {
        metrics: { ...pulls.metrics, ...metrics },
        ...(spread ? { spread } : {}),
        checks: [
          ...pulls.checks,
          countCheck('server holds every record', large + written, stored),
          countCheck('client received every change, once', written, local),
        ],
      };
    });
    summarizeChecks(`W2/W8 ${system}/${storage}`, largeCell);
    if (wanted.w2) {
      const s = smallCell?.metrics ?? {};
      const l = largeCell.metrics;
      w2.cells.push({
        system,
        storage,
        metrics: {
          smallP50: s.p50 ?? Number.NaN,
          largeP50: l.p50 ?? Number.NaN,
          smallP99: s.p99 ?? Number.NaN,
          largeP99: l.p99 ?? Number.NaN,
          smallPullsPerSecond: s.pullsPerSecond ?? Number.NaN,
          largePullsPerSecond: l.pullsPerSecond ?? Number.NaN,
          growth: (l.p50 ?? Number.NaN) / (s.p50 ?? Number.NaN),
        },
        checks: [
          ...(smallCell?.checks ?? []),
          ...largeCell.checks.filter(
            (c) => c.name === 'a no-op pull brings nothing' || c.name === 'ran',
          ),
        ],
      });
    }
    if (wanted.w8) {
      w8.cells.push({
        system,
        storage,
        metrics: {
          ms: largeCell.metrics.ms ?? Number.NaN,
          changesPerSecond: largeCell.metrics.changesPerSecond ?? Number.NaN,
        },
        ...(largeCell.spread ? { spread: largeCell.spread } : {}),
        checks: largeCell.checks,
      });
    }
  }
  return [...(wanted.w2 ? [w2] : []), ...(wanted.w8 ? [w8] : [])];
}
