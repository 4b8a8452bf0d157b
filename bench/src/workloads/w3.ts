/** W3: many clients pushing at a steady rate; acknowledged mutations/s and latency, nothing lost. */
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { percentile } from '../stats.ts';
import { check, countCheck } from '../types.ts';
import { cellsOf, summarizeChecks, type WorkloadResult, withCell } from './harness.ts';

export function runW3(run: RunOptions): Promise<WorkloadResult> {
  const { w3Clients: clients, w3RatePerClient: rate, w3Seconds: seconds } = run.sizes;
  return runPushLoad(run, 'W3', { clients, rate, seconds });
}

/**
 * W3L: the same at a light load (50 clients, 1,000 writes/s in all by default), where the
 * machine is not saturated and latency is each system's own rather than queueing on CPU.
 */
export function runW3Light(run: RunOptions): Promise<WorkloadResult> {
  const { w3lClients: clients, w3lRatePerClient: rate, w3lSeconds: seconds } = run.sizes;
  return runPushLoad(run, 'W3L', { clients, rate, seconds });
}

async function runPushLoad(
  run: RunOptions,
  id: string,
  { clients, rate, seconds }: { clients: number; rate: number; seconds: number },
): Promise<WorkloadResult> {
  const offered = clients * rate;
  const result: WorkloadResult = {
    id,
    title: `${clients.toLocaleString('en-US')} clients pushing ${rate} mutations/s each for ${seconds} s (${offered.toLocaleString('en-US')}/s offered)`,
    description:
      "Virtual clients in one process speak each system's push protocol directly (Ferry `POST /v1/push`, CouchDB `_bulk_docs`, the RxDB endpoint's push, the floor's insert) over keep-alive connections, one request in flight per client; writes made while a request is out go in the next one. A push refused as busy (503 or 429 with Retry-After) is sent again after that pause, as a sync client resends its outbox, and the wait counts in its writes' latency. Each write is a new ~200 B record. Latency runs from the moment a write was due to its acknowledgement. Ferry and the others give every client a space of its own; PouchDB's clients share one database (a LevelDB database per client would exhaust file handles).",
    metrics: [
      { key: 'ackPerSecond', label: 'acknowledged mutations/s', better: 'higher' },
      { key: 'p50', label: 'ack latency p50 (ms)', better: 'lower' },
      { key: 'p99', label: 'ack latency p99 (ms)', better: 'lower' },
      { key: 'refused', label: 'pushes refused as busy, then resent', better: 'lower' },
    ],
    cells: [],
    notes: [],
  };
  for (const { system, storage } of cellsOf(run)) {
    const cell = await withCell(run, system, storage, async ({ server, client, url, label }) => {
      const spaceOf = (i: number) => (system === 'pouchdb' ? 'w3' : `u${i}`);
      const users = Array.from({ length: clients }, (_, i) => ({
        user: `u${i}`,
        spaces: [spaceOf(i)],
      }));
      const credentials = await server.call('credentials', { users });
      const targets = users.map((u, i) => ({
        url,
        credential: credentials[i]!,
        space: u.spaces[0]!,
      }));
      progress(`${id} ${label}: ${clients} clients × ${rate}/s for ${seconds} s`);
      const load = await client.call('pushLoad', {
        system,
        targets,
        options: {
          ratePerClient: rate,
          seconds,
          valueBytes: run.sizes.largeValueBytes,
          drainMs: 60_000,
        },
      });
      const stored = await server.call('count', {
        spaces: [...new Set(targets.map((t) => t.space))],
      });
      const metrics = {
        ackPerSecond: load.acknowledged / (load.elapsedMs / 1000),
        p50: percentile(load.latenciesMs, 50),
        p99: percentile(load.latenciesMs, 99),
        refused: load.refused,
      };
      progress(
        `${id} ${label}: ${Math.round(metrics.ackPerSecond)} acks/s, p99 ${metrics.p99.toFixed(1)} ms`,
      );
      return {
        metrics,
        checks: [
          check(
            'no request failed',
            load.errors.length === 0,
            load.errors.slice(0, 3).join('; ') || 'none',
          ),
          countCheck('every write acknowledged, once', load.generated, load.acknowledged),
          countCheck('server holds every acknowledged write, once', load.acknowledged, stored),
        ],
      };
    });
    summarizeChecks(`${id} ${system}/${storage}`, cell);
    result.cells.push(cell);
  }
  return result;
}
