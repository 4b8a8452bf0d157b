/** W4: a write on client A becomes visible on client B while many clients are connected. */
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { percentile } from '../stats.ts';
import { check, countCheck } from '../types.ts';
import { cellsOf, summarizeChecks, type WorkloadResult, withCell } from './harness.ts';

export async function runW4(run: RunOptions): Promise<WorkloadResult> {
  const { w4Clients: clients, w4Samples: samples } = run.sizes;
  const bystanders = Math.max(0, clients - 2);
  const result: WorkloadResult = {
    id: 'W4',
    title: `Write on A → visible on B, with ${clients.toLocaleString('en-US')} connected clients`,
    description: `A and B are full clients of each system sharing one space (Ferry: \`put\` + \`sync()\` on A, a live client with a subscribed query on B, which applies the changes a poke carries; RxDB: replication push on A, pull with an SSE-driven \`stream$\` and a \`find().$\` query on B; PouchDB: live replications both ways and B's changes feed; floor: a POST, an SSE poke, a pull into the store). ${bystanders.toLocaleString('en-US')} more clients hold idle event streams (changes feeds for PouchDB) on another space. Time runs from A's write call to B's query showing the record; writes are one after another.`,
    metrics: [
      { key: 'p50', label: 'p50 (ms)', better: 'lower' },
      { key: 'p99', label: 'p99 (ms)', better: 'lower' },
    ],
    cells: [],
    notes: [],
  };
  for (const { system, storage } of cellsOf(run)) {
    const cell = await withCell(run, system, storage, async ({ server, client, url, label }) => {
      const idle = await server.call('credential', { user: 'idle', spaces: ['idle'] });
      progress(`W4 ${label}: opening ${bystanders} idle streams`);
      const streams = await client.call('streamsOpen', {
        system,
        target: { url, credential: idle, space: 'idle' },
        count: bystanders,
      });
      const writer = {
        url,
        credential: await server.call('credential', { user: 'a', spaces: ['w4'] }),
        space: 'w4',
      };
      const watcher = {
        url,
        credential: await server.call('credential', { user: 'b', spaces: ['w4'] }),
        space: 'w4',
      };
      progress(`W4 ${label}: ${samples} writes`);
      const timed = await client.call('writeToVisible', {
        system,
        writer,
        watcher,
        samples,
        valueBytes: run.sizes.largeValueBytes,
      });
      await client.call('streamsClose', {});
      const stored = await server.call('count', { spaces: ['w4'] });
      const metrics = {
        p50: percentile(timed.latencies, 50),
        p99: percentile(timed.latencies, 99),
      };
      progress(`W4 ${label}: p50 ${metrics.p50.toFixed(1)} ms, p99 ${metrics.p99.toFixed(1)} ms`);
      return {
        metrics,
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
    summarizeChecks(`W4 ${system}/${storage}`, cell);
    result.cells.push(cell);
  }
  return result;
}
