/**
 * RECOVER: many live clients, the server down for a while, then up again on the same port
 * and database; one write after it answers again; how long until each client shows it.
 */
import type { RunOptions } from '../config.ts';
import { recordKey } from '../data.ts';
import { progress } from '../progress.ts';
import { percentile } from '../stats.ts';
import { type CellResult, check, countCheck, type SystemName } from '../types.ts';
import {
  type ClientHost,
  cellsOf,
  openClientHost,
  summarizeChecks,
  type WorkloadResult,
  withCell,
} from './harness.ts';

/** How long clients get to show the write after the server answers again. */
const SEEN_TIMEOUT_MS = 60_000;
/** The target: every client caught up within this long of the server answering again. */
const CAUGHT_UP_MS = 5_000;
/** Watchers opened at once: enough to open a thousand in seconds, few enough not to time out. */
const OPENING = 50;

/** The floor's client has no live replication to recover. */
const RECOVERS = new Set(['ferry', 'pouchdb', 'rxdb']);

/**
 * Clients per client process. The open-source RxDB lets a process hold 13 collections at
 * once (error COL23), so its clients are spread over as many processes as that takes;
 * the others' all share one, as in every other workload.
 */
const PER_PROCESS: Partial<Record<SystemName, number>> = { rxdb: 13 };

/** The cell's client host, then as many more as `system` needs for `clients` watchers. */
async function clientHostsFor(
  run: RunOptions,
  first: ClientHost,
  system: SystemName,
  clients: number,
): Promise<ClientHost[]> {
  const perProcess = PER_PROCESS[system] ?? clients;
  const hosts = [first];
  while (hosts.length * perProcess < clients) hosts.push(await openClientHost(run));
  return hosts;
}

function metricsOf(latencies: readonly number[], suffix: string): Record<string, number> {
  return {
    [`p50${suffix}`]: percentile(latencies, 50),
    [`p99${suffix}`]: percentile(latencies, 99),
    [`max${suffix}`]: Math.max(...latencies),
    [`within${suffix}`]: latencies.filter((ms) => ms <= CAUGHT_UP_MS).length,
  };
}

export async function runRecover(run: RunOptions): Promise<WorkloadResult> {
  const { recoverClients: clients, recoverDownSeconds: outages } = run.sizes;
  const result: WorkloadResult = {
    id: 'RECOVER',
    title: `${clients.toLocaleString('en-US')} live clients, the server down for ${outages.map((s) => `${s} s`).join(' and for ')}`,
    description: `${clients.toLocaleString('en-US')} live clients of one space, each as a user of its own, in one client process, RxDB's 13 to a process (see the note) (Ferry: \`createClient({ live: true })\` with default options and a subscribed query; PouchDB: \`replicate.from(remote, { live: true, retry: true })\` and the local changes feed; RxDB: \`replicateRxCollection\` with its pull \`stream$\` fed by the endpoint's event stream, which reconnects as \`EventSource\` does, every 3 s, and emits 'RESYNC' on each reconnect as RxDB's docs ask, and a \`find().$\` query), against a server in another process. The server then stops answering — its HTTP server closed and every connection dropped (Ferry: the server object closed too, as a deploy would) — for the time given, and listens again on the same port over the same database and data. Once it answers again, the server process commits one ~200 B record through the system's own write path. Each client's time runs from the moment the server answered again to the moment it showed that record (both processes read the same system clock); "within 5 s" counts the clients that had it by then.`,
    metrics: outages.flatMap((s) => [
      { key: `p50_${s}`, label: `down ${s} s: p50 (ms)`, better: 'lower' as const },
      { key: `p99_${s}`, label: `down ${s} s: p99 (ms)`, better: 'lower' as const },
      { key: `max_${s}`, label: `down ${s} s: last client (ms)`, better: 'lower' as const },
      { key: `within_${s}`, label: `down ${s} s: clients within 5 s`, better: 'higher' as const },
    ]),
    cells: [],
    notes: [
      "The open-source RxDB holds at most 13 collections in a process (error COL23), so its clients run 13 to a client process, in as many processes as that takes: they share the two cores with the server as one process would, but each process has less to do. RxDB's event stream reconnects every 3 s without backoff or jitter, as Chromium's `EventSource` does (the bench's endpoint sends no `retry:`); a pull that fails is retried by RxDB after its `retryTime` (5 s by default).",
    ],
  };
  for (const { system, storage } of cellsOf(run)) {
    if (!RECOVERS.has(system)) continue;
    const cell = await withCell(run, system, storage, async ({ server, client, url, label }) => {
      // A user each, as a thousand devices would be: under one token the server's per-user
      // request limit would refuse the catch-up pulls of all but a few (429) and measure that.
      const users = Array.from({ length: clients }, (_, i) => ({
        user: `live${i}`,
        spaces: ['recover'],
      }));
      const credentials = await server.call('credentials', { users });
      const targets = credentials.map((credential) => ({ url, credential, space: 'recover' }));
      const hosts = await clientHostsFor(run, client, system, clients);
      progress(
        `RECOVER ${label}: opening ${clients.toLocaleString('en-US')} live clients in ${hosts.length} process${hosts.length === 1 ? '' : 'es'}`,
      );
      const share = Math.ceil(clients / hosts.length);
      const openings = await Promise.all(
        hosts.map((host, h) =>
          host.call('watchersOpen', {
            system,
            targets: targets.slice(h * share, (h + 1) * share),
            opening: Math.ceil(OPENING / hosts.length),
          }),
        ),
      );
      const opened = openings.reduce((sum, o) => sum + o.opened, 0);
      const failures = openings.flatMap((o) => o.failures).slice(0, 3);
      const metrics: Record<string, number> = {};
      const checks: CellResult['checks'] = [countCheck('live clients opened', clients, opened)];
      if (failures.length > 0) progress(`RECOVER ${label}: failed to open: ${failures.join('; ')}`);
      try {
        for (const [i, downSeconds] of outages.entries()) {
          progress(`RECOVER ${label}: server down for ${downSeconds} s`);
          const { answeringAt } = await server.call('outage', { downMs: downSeconds * 1000 });
          await server.call('commitOne', { space: 'recover', index: i, valueBytes: 200 });
          const seen = (
            await Promise.all(
              hosts.map((host) =>
                host.call('watchersSeen', {
                  key: recordKey('poke-', i),
                  timeoutMs: SEEN_TIMEOUT_MS,
                }),
              ),
            )
          ).flat();
          const latencies = seen.filter((t): t is number => t !== null).map((t) => t - answeringAt);
          Object.assign(metrics, metricsOf(latencies, `_${downSeconds}`));
          progress(
            `RECOVER ${label}, down ${downSeconds} s: ${latencies.length} of ${seen.length} caught up, p50 ${percentile(latencies, 50).toFixed(0)} ms, last ${Math.max(...latencies).toFixed(0)} ms`,
          );
          checks.push(
            check(
              `every client showed the write after ${downSeconds} s down`,
              latencies.length === seen.length,
              `${seen.length - latencies.length} of ${seen.length} not within ${SEEN_TIMEOUT_MS / 1000} s`,
            ),
          );
        }
      } finally {
        await Promise.all(hosts.map((host) => host.call('watchersClose', {})));
        for (const host of hosts.slice(1)) await host.close();
      }
      return { metrics, checks };
    });
    summarizeChecks(`RECOVER ${system}/${storage}`, cell);
    result.cells.push(cell);
  }
  return result;
}
