/** Fan-out: time from one committed write to its poke reaching every idle event stream. */
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { percentile, sleep } from '../stats.ts';
import { type CellResult, countCheck, streamsOpenChecks } from '../types.ts';
import {
  cellsOf,
  combineRounds,
  summarizeChecks,
  type WorkloadResult,
  withCell,
} from './harness.ts';

/** How long the streams get to receive the poke before the missing ones count as lost. */
const RECEIVE_TIMEOUT_MS = 30_000;

export async function runFanout(run: RunOptions): Promise<WorkloadResult> {
  const { fanoutStreams: streams, fanoutRounds: rounds } = run.sizes;
  const result: WorkloadResult = {
    id: 'FANOUT',
    title: `Poke fan-out: one write to ${streams.toLocaleString('en-US')} idle event streams`,
    description: `As in W5, a client process opens the streams on one space (Ferry \`GET /v1/events\` with a token; the floor's and the RxDB endpoint's SSE), each on its own socket, against a server in another process. Once they are all open and quiet, the server process commits one ~200 B record in that space through the system's own write path (Ferry: its push handler, in process). Each stream's first event after that is timed in the client process; the figures run from the moment the write was committed (as the server process saw it; both processes read the same system clock) to each stream's receipt, across streams.${rounds > 1 ? ` Each figure is the median of ${rounds} such writes, a second apart, to the same open streams (the range in brackets).` : ''}`,
    metrics: [
      { key: 'p50', label: 'p50 (ms)', better: 'lower' },
      { key: 'p99', label: 'p99 (ms)', better: 'lower' },
      { key: 'max', label: 'last stream (ms)', better: 'lower' },
      { key: 'writeMs', label: 'the write itself (ms)', better: 'lower' },
    ],
    cells: [],
    notes: [
      "PouchDB is left out: in W5 express-pouchdb did not hold 10,000 continuous changes feeds on one database (connect timeouts), so its figure would time streams it did not serve; its feeds' W4 check already shows how many idle feeds it answered.",
    ],
  };
  for (const { system, storage } of cellsOf(run)) {
    if (system === 'pouchdb') continue;
    const cell = await withCell(run, system, storage, async ({ server, client, url, label }) => {
      const credential = await server.call('credential', { user: 'fan', spaces: ['fan'] });
      progress(`FANOUT ${label}: opening ${streams.toLocaleString('en-US')} streams`);
      const opened = await client.call('streamsOpen', {
        system,
        target: { url, credential, space: 'fan' },
        count: streams,
        timed: true,
      });
      const timed: CellResult[] = [];
      for (let round = 1; round <= rounds; round++) {
        // Ferry pokes every stream once as it opens, and each write's pokes must be over
        // before the next write.
        await sleep(1000);
        await client.call('streamsArm', {});
        const write = await server.call('commitOne', {
          space: 'fan',
          index: round,
          valueBytes: 200,
        });
        const received = await client.call('streamsReceived', { timeoutMs: RECEIVE_TIMEOUT_MS });
        const latencies = received.map((t) => t - write.committedAt);
        const metrics = {
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          max: Math.max(...latencies),
          writeMs: write.committedAt - write.startedAt,
        };
        const name = rounds > 1 ? `${label}, write ${round}/${rounds}` : label;
        progress(
          `FANOUT ${name}: ${received.length} of ${opened.opened} streams poked, last after ${metrics.max.toFixed(1)} ms`,
        );
        timed.push({
          system,
          storage,
          metrics,
          checks: [countCheck('every stream received the poke', streams, received.length)],
        });
      }
      await client.call('streamsClose', {});
      const stored = await server.call('count', { spaces: ['fan'] });
      const { metrics, spread, checks } = combineRounds(timed);
      return {
        metrics,
        ...(spread ? { spread } : {}),
        checks: [
          ...streamsOpenChecks(streams, opened),
          ...checks,
          countCheck('every write is stored, once', rounds, stored),
        ],
      };
    });
    summarizeChecks(`FANOUT ${system}/${storage}`, cell);
    result.cells.push(cell);
  }
  return result;
}
