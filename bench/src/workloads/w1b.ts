/** W1B: W1's initial sync into IndexedDB, in headless Chromium. */
import { type BenchBrowser, launchBenchBrowser } from '../browser/chromium.ts';
import type { PullResult } from '../browser/pages/types.ts';
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { MiB } from '../stats.ts';
import { countCheck } from '../types.ts';
import { cellsOf, summarizeChecks, type WorkloadResult, withCell } from './harness.ts';

export async function runW1B(run: RunOptions): Promise<WorkloadResult> {
  const { w1bRecords: records, w1ValueBytes: valueBytes } = run.sizes;
  const result: WorkloadResult = {
    id: 'W1B',
    title: `Initial sync of ${records.toLocaleString('en-US')} records of ~${valueBytes} B into IndexedDB (Chromium)`,
    description:
      "W1's records, pulled by a fresh page in headless Chromium (a new profile, empty IndexedDB) from the same servers as W1, in another process. Ferry: `createClient` on `openIndexedDbStore`, one `sync()`. floor: `fetch` + `JSON.parse` of the floor's pages, each bulk-put into raw IndexedDB in one transaction. PouchDB: its browser build (`pouchdb.min.js`, IndexedDB adapter) replicating from express-pouchdb. RxDB: its free Dexie.js storage on IndexedDB with `replicateRxCollection`. Page size 1,000 for every system; the time runs from the first request until every record is in IndexedDB. The server's peak RSS is sampled every 20 ms during the sync, after a full garbage collection.",
    metrics: [
      { key: 'recordsPerSecond', label: 'records/s', better: 'higher' },
      { key: 'seconds', label: 'time (s)', better: 'lower' },
      { key: 'serverPeakMiB', label: 'server peak RSS (MiB)', better: 'lower' },
    ],
    cells: [],
    notes: [],
  };
  let browser: BenchBrowser;
  try {
    browser = await launchBenchBrowser();
  } catch (error) {
    result.notes.push(`Not measured: Chromium did not start (${String(error).split('\n')[0]}).`);
    return result;
  }
  try {
    for (const { system, storage } of cellsOf(run)) {
      const cell = await withCell(run, system, storage, async ({ server, url, label }) => {
        progress(`W1B ${label}: seeding ${records.toLocaleString('en-US')} records`);
        await server.call('seed', {
          space: 'w1b',
          prefix: 'r',
          from: 0,
          count: records,
          valueBytes,
        });
        const credential = await server.call('credential', { user: 'w1buser', spaces: ['w1b'] });
        const opened = await browser.open(`w1b-${system}`, 'benchPull');
        try {
          progress(`W1B ${label}: initial sync in Chromium`);
          await server.call('peakStart', {});
          const pulled: PullResult = await opened.page.evaluate(
            (target) => window.benchPull!(target),
            { url, credential, space: 'w1b' },
          );
          const serverPeak = await server.call('peakStop', {});
          const stored = await server.call('count', { spaces: ['w1b'] });
          const metrics = {
            recordsPerSecond: records / (pulled.ms / 1000),
            seconds: pulled.ms / 1000,
            serverPeakMiB: serverPeak / MiB,
          };
          progress(`W1B ${label}: ${Math.round(metrics.recordsPerSecond)} records/s`);
          return {
            metrics,
            checks: [
              countCheck('server holds every record', records, stored),
              countCheck('IndexedDB holds every record, once', records, pulled.count),
            ],
          };
        } finally {
          await opened.close();
        }
      });
      summarizeChecks(`W1B ${system}/${storage}`, cell);
      result.cells.push(cell);
    }
  } finally {
    await browser.close();
  }
  return result;
}
