/**
 * W9 in Chromium: the records, query, live query and bulk insert of W9's Node run
 * (w9-local-queries.ts) on Ferry's IndexedDB store (@ferry/browser), RxDB on its Dexie.js
 * storage with the same index, and a raw IndexedDB floor (a cursor over a compound index;
 * raw puts in one transaction), in headless Chromium, each in a fresh profile, in one run.
 * The page is built from Ferry's sources, as the Node run runs them.
 *
 *   npx tsx --conditions=@ferry/source bench/src/workloads/w9-indexeddb.ts
 */
import { launchBenchBrowser } from '../browser/chromium.ts';
import type { W9System } from '../browser/pages/w9-idb.ts';
import { BULK, type W9Figures } from '../w9-records.ts';

const log = (line: string) => console.log(`[w9-idb] ${line}`);
const browser = await launchBenchBrowser({ entries: ['w9-idb'], conditions: ['@ferry/source'] });
const figures = new Map<W9System, Partial<W9Figures>>();
try {
  // The systems to run (all by default): `… w9-indexeddb.ts ferry` runs Ferry's alone.
  const wanted = process.argv.slice(2);
  for (const system of ['floor', 'ferry', 'rxdb'] as const) {
    if (wanted.length > 0 && !wanted.includes(system)) continue;
    const opened = await browser.open('w9-idb', 'benchW9');
    opened.page.on('console', (message) => {
      if (message.text().startsWith('[w9-idb]')) console.log(message.text());
    });
    try {
      const started = performance.now();
      const result = await opened.page.evaluate((s) => window.benchW9!(s), system);
      figures.set(system, result);
      log(
        `${system}: ${JSON.stringify(result)} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    } finally {
      await opened.close();
    }
  }
} finally {
  await browser.close();
}

const ms = (n: number | undefined, digits: number) => (n === undefined ? '–' : n.toFixed(digits));
const row = (name: string, f: Partial<W9Figures>) =>
  `| ${name} | ${ms(f.queryMs, 3)} | ${ms(f.firstMs, 3)} | ${f.updateP50Ms === undefined ? '–' : `${ms(f.updateP50Ms, 3)} / ${ms(f.updateP99Ms, 3)}`} | ${ms(f.bulkMs, 0)} |`;
const ferry = figures.get('ferry') ?? {};
const rx = figures.get('rxdb') ?? {};
const floor = figures.get('floor') ?? {};
console.log(
  `\n| system (Chromium) | indexed query ms | first live delivery ms | write → live p50 / p99 ms | bulk ${BULK.toLocaleString('en-US')} ms |`,
);
console.log('| --- | --- | --- | --- | --- |');
console.log(row('Ferry, IndexedDB store (`@ferry/browser`)', ferry));
console.log(row('RxDB 17, Dexie.js storage (IndexedDB)', rx));
console.log(row('raw IndexedDB, same compound index (floor)', floor));
const ratio = (a?: number, b?: number) =>
  a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`;
console.log(
  `\nratios: query Ferry/RxDB ${ratio(ferry.queryMs, rx.queryMs)}, Ferry/floor ${ratio(ferry.queryMs, floor.queryMs)}; first live Ferry/RxDB ${ratio(ferry.firstMs, rx.firstMs)}; write → live p50 Ferry/RxDB ${ratio(ferry.updateP50Ms, rx.updateP50Ms)}; bulk Ferry/RxDB ${ratio(ferry.bulkMs, rx.bulkMs)}, Ferry/floor ${ratio(ferry.bulkMs, floor.bulkMs)} (${ferry.bulkMs === undefined ? '–' : Math.round(BULK / (ferry.bulkMs / 1000)).toLocaleString('en-US')}/s)`,
);
