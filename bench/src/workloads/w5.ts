/** W5: server memory per idle event stream. */
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { sleep } from '../stats.ts';
import { streamsOpenChecks } from '../types.ts';
import { cellsOf, summarizeChecks, type WorkloadResult, withCell } from './harness.ts';

export async function runW5(run: RunOptions): Promise<WorkloadResult> {
  const streams = run.sizes.w5Streams;
  const result: WorkloadResult = {
    id: 'W5',
    title: `Server memory per idle event stream at ${streams.toLocaleString('en-US')} streams`,
    description:
      "A client process opens the streams (Ferry `GET /v1/events` with a token; the RxDB endpoint's and the floor's SSE; PouchDB's `_changes?feed=continuous`), each on its own socket. The server's RSS and JS heap (plus external memory) are read after a full garbage collection before and after; the difference is divided by the number of streams the server actually answered.",
    metrics: [
      { key: 'rssKiB', label: 'RSS per stream (KiB)', better: 'lower' },
      { key: 'heapKiB', label: 'heap per stream (KiB)', better: 'lower' },
    ],
    cells: [],
    notes: run.inProcess ? ['In-process run: memory figures are not meaningful.'] : [],
  };
  for (const { system, storage } of cellsOf(run)) {
    const cell = await withCell(run, system, storage, async ({ server, client, url, label }) => {
      const credential = await server.call('credential', { user: 'idle', spaces: ['idle'] });
      const before = await server.call('memory', {});
      progress(`W5 ${label}: opening ${streams.toLocaleString('en-US')} streams`);
      const opened = await client.call('streamsOpen', {
        system,
        target: { url, credential, space: 'idle' },
        count: streams,
      });
      await sleep(1000);
      const after = await server.call('memory', {});
      await client.call('streamsClose', {});
      // Per stream actually held open: a server that refuses some is not credited for them.
      const held = Math.max(1, opened.opened);
      const metrics = {
        rssKiB: (after.rss - before.rss) / held / 1024,
        heapKiB: (after.heapUsed - before.heapUsed) / held / 1024,
      };
      progress(`W5 ${label}: ${metrics.rssKiB.toFixed(1)} KiB RSS per stream`);
      return {
        metrics,
        checks: [...streamsOpenChecks(streams, opened)],
      };
    });
    summarizeChecks(`W5 ${system}/${storage}`, cell);
    result.cells.push(cell);
  }
  return result;
}
