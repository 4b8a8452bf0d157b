/**
 * W4D: W4's write on A → visible on B, with Ferry's client left to send the writes itself:
 * A writes at a steady pace with default options and never calls `sync()`. Beside it, the
 * same writes sent by `sync()` after each (as in W4) and by the former default, a debounce
 * of `localChangeDelayMs: 1000`.
 */
import type { WriterOptions } from '../clients/types.ts';
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { percentile, sleep } from '../stats.ts';
import { type CellResult, check, countCheck, type StorageName } from '../types.ts';
import { openClientHost, summarizeChecks, type WorkloadResult, withCell } from './harness.ts';

const VARIANTS: { variant: WriterOptions['mode']; label: string }[] = [
  { variant: 'default', label: 'default options, no sync()' },
  { variant: 'sync', label: 'put + sync(), as in W4' },
  { variant: 'debounce', label: 'localChangeDelayMs: 1000, the former default' },
];

/** Long enough for a write held by the debounce's ten delays, and then some. */
const SEEN_TIMEOUT_MS = 15_000;

export async function runW4D(run: RunOptions): Promise<WorkloadResult> {
  const { w4dSamples: samples, w4dEveryMs: everyMs, largeValueBytes: valueBytes } = run.sizes;
  const result: WorkloadResult = {
    id: 'W4D',
    title: `Write on A → visible on B, A with default client options: a write every ${everyMs} ms`,
    description: `Ferry only. A writes ${samples.toLocaleString('en-US')} records of ~${valueBytes} B, one every ${everyMs} ms whatever happens to them, in a process of its own; B is a live client with a subscribed query in another, as in W4 (without W4's idle streams). **Default options**: A is a live client that only calls \`put\`, its scheduler pushing each write (at once when no run is in flight, with the run right after the one in flight otherwise). **put + sync()**: A calls \`sync()\` after each write, as in W4. **Former default**: as the first, with \`localChangeDelayMs: 1000\`, the debounce that was the default before. Time runs from A's write call to B's query showing the record (both processes read the same clock). Requests are A's push and pull requests from its first write until B has seen the last and A is quiet, per write.`,
    metrics: [
      { key: 'p50', label: 'p50 (ms)', better: 'lower' },
      { key: 'p99', label: 'p99 (ms)', better: 'lower' },
      { key: 'requestsPerWrite', label: "A's requests per write", better: 'lower' },
    ],
    columns: VARIANTS.map(({ variant, label }) => ({ variant, label })),
    cells: [],
    notes: [],
  };
  if (!run.systems.includes('ferry')) return result;
  for (const storage of run.databases.filter((d): d is StorageName => d !== 'leveldb')) {
    for (const { variant, label: variantLabel } of VARIANTS) {
      const cell: CellResult = await withCell(
        run,
        'ferry',
        storage,
        async ({ server, client, url, label }) => {
          const [writer, watcher] = await Promise.all(
            ['a', 'b'].map(async (user) => ({
              url,
              credential: await server.call('credential', { user, spaces: ['w4d'] }),
              space: 'w4d',
            })),
          );
          const writerHost = await openClientHost(run);
          const started: { key: string; startedAt: number }[] = [];
          const latencies: number[] = [];
          let requests = 0;
          let seen = 0;
          try {
            await client.call('watcherOpen', { system: 'ferry', target: watcher! });
            await writerHost.call('writerOpen', {
              system: 'ferry',
              target: writer!,
              options: { mode: variant },
            });
            const requestsBefore = (await writerHost.call('writerRequests', {})) ?? 0;
            progress(`W4D ${label}, ${variantLabel}: ${samples} writes, one every ${everyMs} ms`);
            const first = performance.now();
            for (let index = 0; index < samples; index++) {
              await sleep(Math.max(0, first + index * everyMs - performance.now()));
              started.push(await writerHost.call('writerWrite', { index, valueBytes }));
            }
            for (const { key, startedAt } of started) {
              const seenAt = await client.call('watcherSeen', { key, timeoutMs: SEEN_TIMEOUT_MS });
              if (seenAt !== null) latencies.push(seenAt - startedAt);
            }
            // The writer's last run, and any it would start for its own commit's poke.
            await sleep(500);
            requests = ((await writerHost.call('writerRequests', {})) ?? 0) - requestsBefore;
          } finally {
            await writerHost.call('writerClose', {}).catch(() => {});
            seen = (await client.call('watcherClose', {})).seen;
            await writerHost.close();
          }
          const stored = await server.call('count', { spaces: ['w4d'] });
          const metrics = {
            p50: percentile(latencies, 50),
            p99: percentile(latencies, 99),
            requestsPerWrite: requests / samples,
          };
          progress(
            `W4D ${label}, ${variantLabel}: p50 ${metrics.p50.toFixed(1)} ms, p99 ${metrics.p99.toFixed(1)} ms, ${metrics.requestsPerWrite.toFixed(2)} requests per write`,
          );
          return {
            metrics,
            checks: [
              check(
                'every write became visible on B',
                latencies.length === samples,
                `${samples - latencies.length} not seen within ${SEEN_TIMEOUT_MS / 1000} s`,
              ),
              countCheck('B holds every write, once', samples, seen),
              countCheck('server holds every write', samples, stored),
            ],
          };
        },
      );
      cell.variant = variant;
      summarizeChecks(`W4D ${variant}/${storage}`, cell);
      result.cells.push(cell);
    }
  }
  return result;
}
