/**
 * BOOT: a page bootstraps many records into IndexedDB with `openFerry`, the engine in a
 * dedicated worker, against the same bootstrap with the engine in the page; the main
 * thread's long tasks and the latency of clicks made meanwhile tell whether it stays
 * interactive.
 */
import type { Page } from 'playwright-core';
import { type BenchBrowser, launchBenchBrowser } from '../browser/chromium.ts';
import type { BootResult, HandledClick, LongTask } from '../browser/pages/types.ts';
import type { RunOptions } from '../config.ts';
import { progress } from '../progress.ts';
import { percentile, sleep } from '../stats.ts';
import { type CellResult, countCheck, type StorageName } from '../types.ts';
import { summarizeChecks, type WorkloadResult, withCell } from './harness.ts';

/** A real click (playwright's mouse, through Chromium's input pipeline) this often during the bootstrap. */
const CLICK_EVERY_MS = 200;
const MAX_CLICKS = 50;

const VARIANTS = [
  { variant: 'worker', label: 'engine in a worker', inWorker: true },
  { variant: 'page', label: 'engine in the page', inWorker: false },
] as const;

interface Observed {
  boot: BootResult;
  longTasks: LongTask[];
  clicks: HandledClick[];
  dispatched: number;
}

async function bootstrapWithClicks(
  page: Page,
  target: object,
  inWorker: boolean,
): Promise<Observed> {
  let finished = false;
  const booting = page
    .evaluate(([t, w]) => window.benchBoot!(t as never, w as boolean), [target, inWorker] as const)
    .finally(() => {
      finished = true;
    });
  let dispatched = 0;
  const clicking = (async () => {
    while (!finished && dispatched < MAX_CLICKS) {
      await sleep(CLICK_EVERY_MS);
      if (finished) break;
      await page.mouse.click(100, 50);
      dispatched += 1;
    }
  })();
  const boot = await booting;
  await clicking;
  const { longTasks, clicks } = await page.evaluate(() => ({
    longTasks: window.benchLongTasks ?? [],
    clicks: window.benchClicks ?? [],
  }));
  return { boot, longTasks, clicks, dispatched };
}

export async function runBoot(run: RunOptions): Promise<WorkloadResult> {
  const { bootRecords: records, largeValueBytes: valueBytes } = run.sizes;
  const result: WorkloadResult = {
    id: 'BOOT',
    title: `Bootstrap of ${records.toLocaleString('en-US')} records of ~${valueBytes} B in a page: main-thread long tasks`,
    description: `A fresh page in headless Chromium calls \`openFerry\` and waits for its first \`sync()\` to finish with every record in IndexedDB, against a Ferry server in another process. **Engine in a worker**: \`openFerry({ worker })\`, the worker module calling \`hostFerry\` with the same options. **Engine in the page**: \`openFerry\` without \`worker\` — what users get without one. A \`PerformanceObserver\` for \`longtask\` (buffered) is installed by the HTML before any module loads; the long tasks that start between \`openFerry\` and the end of the sync are counted. Meanwhile playwright clicks a button every ${CLICK_EVERY_MS} ms (a real input event through Chromium's input pipeline); a click's latency runs from its event's time stamp to its handler running.`,
    metrics: [
      { key: 'seconds', label: 'bootstrap (s)', better: 'lower' },
      { key: 'longTasks', label: 'long tasks (count)', better: 'lower' },
      { key: 'longTaskMs', label: 'long tasks, total (ms)', better: 'lower' },
      { key: 'longestMs', label: 'longest long task (ms)', better: 'lower' },
      { key: 'clickP50', label: 'click latency p50 (ms)', better: 'lower' },
      { key: 'clickMax', label: 'click latency max (ms)', better: 'lower' },
      { key: 'clicks', label: 'clicks handled during the bootstrap', better: 'higher' },
    ],
    columns: VARIANTS.map(({ variant, label }) => ({ variant, label })),
    cells: [],
    notes: [],
  };
  if (!run.systems.includes('ferry')) return result;
  let browser: BenchBrowser;
  try {
    browser = await launchBenchBrowser();
  } catch (error) {
    result.notes.push(`Not measured: Chromium did not start (${String(error).split('\n')[0]}).`);
    return result;
  }
  try {
    for (const storage of run.databases.filter((d): d is StorageName => d !== 'leveldb')) {
      for (const { variant, label: variantLabel, inWorker } of VARIANTS) {
        const cell: CellResult = await withCell(
          run,
          'ferry',
          storage,
          async ({ server, url, label }) => {
            const space = 'boot';
            progress(
              `BOOT ${label}, ${variantLabel}: seeding ${records.toLocaleString('en-US')} records`,
            );
            await server.call('seed', { space, prefix: 'b', from: 0, count: records, valueBytes });
            const credential = await server.call('credential', {
              user: 'bootuser',
              spaces: [space],
            });
            const opened = await browser.open('boot-page', 'benchBoot');
            try {
              progress(`BOOT ${label}, ${variantLabel}: bootstrap in Chromium`);
              const seen = await bootstrapWithClicks(
                opened.page,
                { url, credential, space },
                inWorker,
              );
              const { startedAt, endedAt, count } = seen.boot;
              const during = seen.longTasks.filter(
                (t) => t.startTime >= startedAt && t.startTime < endedAt,
              );
              const clicks = seen.clicks.filter(
                (c) => c.timeStamp >= startedAt && c.timeStamp < endedAt,
              );
              const latencies = clicks.map((c) => c.latency);
              const metrics = {
                seconds: (endedAt - startedAt) / 1000,
                longTasks: during.length,
                longTaskMs: during.reduce((sum, t) => sum + t.duration, 0),
                longestMs: Math.max(0, ...during.map((t) => t.duration)),
                clickP50: percentile(latencies, 50),
                clickMax: latencies.length > 0 ? Math.max(...latencies) : Number.NaN,
                clicks: clicks.length,
              };
              progress(
                `BOOT ${label}, ${variantLabel}: ${metrics.seconds.toFixed(2)} s, ${during.length} long tasks (${Math.round(metrics.longTaskMs)} ms), ${clicks.length} clicks, slowest ${metrics.clickMax.toFixed(0)} ms`,
              );
              return {
                metrics,
                checks: [
                  countCheck('IndexedDB holds every record, once', records, count),
                  countCheck('every click was handled', seen.dispatched, seen.clicks.length),
                ],
              };
            } finally {
              await opened.close();
            }
          },
        );
        cell.variant = variant;
        summarizeChecks(`BOOT ${variant}/${storage}`, cell);
        result.cells.push(cell);
      }
    }
  } finally {
    await browser.close();
  }
  return result;
}
