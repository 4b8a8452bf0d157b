/** W4: a write on client A becomes visible on client B while many clients are connected. */
import type { Target } from '../clients/types.ts';
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { percentile, sleep } from '../stats.ts';
import { type CellResult, check, countCheck, type SystemName } from '../types.ts';
import {
  type ClientHost,
  cellsOf,
  checksOfRounds,
  openClientHost,
  summarizeChecks,
  type WorkloadResult,
  withCell,
} from './harness.ts';

/**
 * Writes one record at a time on A, each timed from A's write call to B's query showing it.
 * A runs in a process of its own, as another device would: what A does after handing a
 * write over (Ferry's writer pulls after it pushes) costs A, not the time B waits. Both
 * processes read the same system clock (`epochNow`).
 */
async function writeToVisible(
  run: RunOptions,
  watcherHost: ClientHost,
  args: { system: SystemName; writer: Target; watcher: Target; samples: number },
) {
  const writerHost = await openClientHost(run);
  const latencies: number[] = [];
  let timeouts = 0;
  let seen = 0;
  try {
    await watcherHost.call('watcherOpen', { system: args.system, target: args.watcher });
    // Ferry's writer as an app would have it: a live client with default options, its
    // writes sent by its scheduler without a `sync()` call (W4D compares the ways).
    await writerHost.call('writerOpen', {
      system: args.system,
      target: args.writer,
      options: { mode: 'default' },
    });
    for (let index = 0; index < args.samples; index++) {
      const { key, startedAt } = await writerHost.call('writerWrite', {
        index,
        valueBytes: run.sizes.largeValueBytes,
      });
      const seenAt = await watcherHost.call('watcherSeen', { key, timeoutMs: 10_000 });
      if (seenAt === null) timeouts += 1;
      else latencies.push(seenAt - startedAt);
      await sleep(5);
    }
  } finally {
    await writerHost.call('writerClose', {}).catch(() => {});
    seen = (await watcherHost.call('watcherClose', {})).seen;
    await writerHost.close();
  }
  return { latencies, timeouts, seen };
}

export async function runW4(run: RunOptions): Promise<WorkloadResult> {
  const { w4Clients: clients, w4Samples: samples, w4Rounds } = run.sizes;
  const bystanders = Math.max(0, clients - 2);
  const result: WorkloadResult = {
    id: 'W4',
    title: `Write on A → visible on B, with ${clients.toLocaleString('en-US')} connected clients`,
    description: `A and B are full clients of each system sharing one space (Ferry: \`createClient({ live: true })\` with default options on both, \`put\` alone on A, its scheduler sending it, and a subscribed query on B, which applies the changes a poke carries; RxDB: replication push on A, pull with an SSE-driven \`stream$\` and a \`find().$\` query on B; PouchDB: live replications both ways and B's changes feed; floor: a POST, an SSE poke, a pull into the store). ${bystanders.toLocaleString('en-US')} more clients hold idle event streams (changes feeds for PouchDB) on another space, in B's process. A runs in a process of its own, as another device. Time runs from A's write call to B's query showing the record (both processes read the same clock); writes are one after another, ${samples.toLocaleString('en-US')} per round; each figure pools ${w4Rounds} round${w4Rounds === 1 ? '' : 's'}, run over every cell in turn.`,
    metrics: [
      { key: 'p50', label: 'p50 (ms)', better: 'lower' },
      { key: 'p99', label: 'p99 (ms)', better: 'lower' },
    ],
    cells: [],
    notes: [],
  };
  // Rounds go over every cell in turn and each figure pools its cell's rounds, so a slow
  // stretch of the machine (it lasts seconds to minutes here) falls on every system alike
  // instead of on whichever cell it happens to meet.
  const cells = cellsOf(run);
  const rounds = cells.map(() => ({ latencies: [] as number[], results: [] as CellResult[] }));
  for (let round = 1; round <= w4Rounds; round++) {
    for (const [i, { system, storage }] of cells.entries()) {
      const pooled = rounds[i]!;
      const cell = await withCell(run, system, storage, async ({ server, client, url, label }) => {
        const name = w4Rounds > 1 ? `${label}, round ${round}/${w4Rounds}` : label;
        const idle = await server.call('credential', { user: 'idle', spaces: ['idle'] });
        progress(`W4 ${name}: opening ${bystanders} idle streams`);
        const streams = await client.call('streamsOpen', {
          system,
          target: { url, credential: idle, space: 'idle' },
          count: bystanders,
        });
        const [writer, watcher] = await Promise.all(
          ['a', 'b'].map(async (user) => ({
            url,
            credential: await server.call('credential', { user, spaces: ['w4'] }),
            space: 'w4',
          })),
        );
        progress(`W4 ${name}: ${samples} writes`);
        const timed = await writeToVisible(run, client, {
          system,
          writer: writer!,
          watcher: watcher!,
          samples,
        });
        await client.call('streamsClose', {});
        const stored = await server.call('count', { spaces: ['w4'] });
        pooled.latencies.push(...timed.latencies);
        progress(
          `W4 ${name}: p50 ${percentile(timed.latencies, 50).toFixed(1)} ms, p99 ${percentile(timed.latencies, 99).toFixed(1)} ms`,
        );
        return {
          metrics: {},
          checks: [
            countCheck('idle streams opened', bystanders, streams.opened),
            check(
              'every write became visible on B',
              timed.timeouts === 0,
              `${timed.timeouts} not seen within 10 s`,
            ),
            countCheck('B holds every write, once', samples, timed.seen),
            countCheck('server holds every write', samples, stored),
          ],
        };
      });
      pooled.results.push(cell);
    }
  }
  for (const [i, { system, storage }] of cells.entries()) {
    const { latencies, results } = rounds[i]!;
    const cell: CellResult = {
      system,
      storage,
      metrics:
        latencies.length > 0
          ? { p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
          : {},
      checks: checksOfRounds(results),
    };
    summarizeChecks(`W4 ${system}/${storage}`, cell);
    result.cells.push(cell);
  }
  return result;
}
