/**
 * Bootstrapping 50,000 records into a fresh device: the engine runs in the demo's sync
 * worker, so the page keeps handling input while the records arrive. (The long tasks of
 * the main thread during a bootstrap are measured by `npm run bench`; a test asserts no
 * time.)
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, newDevice, openAs } from './support/browser.ts';
import { demoSuite } from './support/suite.ts';

const RECORDS = 50_000;
const BATCH = 1_000;

const demo = demoSuite();
beforeAll(async () => {
  // A data set bigger than what the screen shows: an archive the app keeps locally.
  for (let start = 0; start < RECORDS; start += BATCH) {
    await demo.server.write(
      Array.from({ length: BATCH }, (_, i) => ({
        space: 'user.alice',
        collection: 'archive',
        key: `entry-${String(start + i).padStart(6, '0')}`,
        op: 'put' as const,
        value: {
          text: `Archived entry ${start + i}`,
          done: true,
          createdAt: start + i,
          by: 'alice',
        },
      })),
    );
  }
}, 180_000);

/**
 * Base records in the device's IndexedDB store, counted from the page. It must never create
 * the database itself: an empty one made by this probe would stand in the app's way.
 */
function storedRecords(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('ferry-demo-alice');
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => (open.error?.name === 'AbortError' ? resolve(0) : reject(open.error));
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('records')) {
            db.close();
            resolve(0);
            return;
          }
          const count = db.transaction('records').objectStore('records').count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );
}

describe('bootstrapping 50,000 records', () => {
  it('keeps the page interactive: input is handled while the records arrive', async () => {
    const context = await newDevice(demo.browser, demo.server.url);
    const page = await openAs(context, demo.server.url, 'alice');
    await eventually(
      () => storedRecords(page),
      (n) => n > 0,
      'the bootstrap to start',
      60_000,
    );

    const input = page.getByTestId('new-item-mine');
    await input.fill('Added during the bootstrap');
    await page.getByTestId('list-mine').getByRole('button', { name: 'Add' }).click();
    // The click was handled (the form cleared itself) while the bootstrap was under way.
    expect(await input.inputValue()).toBe('');
    const storedAtClick = await storedRecords(page);
    expect(storedAtClick).toBeLessThan(RECORDS);
    await page.getByTestId('list-mine').getByText('Added during the bootstrap').waitFor();

    await eventually(
      () => storedRecords(page),
      (n) => n >= RECORDS,
      'every record stored',
      120_000,
    );
    await eventually(
      () => page.getByTestId('sync-status').getAttribute('data-state'),
      (state) => state === 'synced',
      'the synced status',
      60_000,
    );
    expect(await demo.server.texts('alice', 'user.alice')).toContain('Added during the bootstrap');
    await context.close();
  }, 240_000);
});
