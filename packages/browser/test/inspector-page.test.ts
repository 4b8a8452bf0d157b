/**
 * `FerryInspector` in real Chromium, against a real server and the page's real IndexedDB:
 * the page syncs once, leaves three writes pending, and opens the inspector with
 * `React.lazy`. The inspector must show the pending writes and the run, and its code must
 * live in a chunk of its own that the page loads only when it opens it.
 *
 * The test takes a screenshot of the inspector every run. With FERRY_UPDATE_SCREENSHOTS=1
 * it writes docs/images/inspector.png (the picture the docs show); otherwise it writes to
 * a temporary folder, so an ordinary run never changes the working tree.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../demo/test/support/browser.ts';
import { DATABASE_KINDS } from '../../server/test/support/databases.ts';
import { type RunningServer, startServer } from '../../server/test/support/server.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DOCS_SCREENSHOT = join(ROOT, 'docs/images/inspector.png');
const dir = mkdtempSync(join(tmpdir(), 'ferry-inspector-page-'));
const site = join(dir, 'site');
const screenshot =
  process.env.FERRY_UPDATE_SCREENSHOTS === '1' ? DOCS_SCREENSHOT : join(dir, 'inspector.png');

const kind = DATABASE_KINDS[0]!;

describe(`FerryInspector in Chromium (${kind.name})`, () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    // The page as an app would ship it: ES modules, split, so the inspector is a chunk.
    await build({
      entryPoints: { page: fileURLToPath(new URL('support/inspector-page.ts', import.meta.url)) },
      outdir: site,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['@ferry/source'],
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
    });
    writeFileSync(
      join(site, 'index.html'),
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Inspector</title></head>' +
        '<body style="margin:16px;background:#f4f6f9"><script type="module" src="/page.js"></script></body></html>',
    );
    server = await startServer(kind, { staticDir: site });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads only when opened, shows the pending writes and the last run, and is screenshotted', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const token = await server.token('inspector', ['shop']);
    await page.goto(`${server.url}/#token=${token}&space=shop`);
    await page.waitForFunction(() => (globalThis as { inspectorPage?: string }).inspectorPage);
    expect(
      await page.evaluate(() => (globalThis as { inspectorPage?: string }).inspectorPage),
    ).toBe('ready');

    const inspector = page.getByTestId('ferry-inspector');
    await inspector.getByRole('heading', { name: 'Ferry inspector' }).waitFor();
    const pending = inspector.getByRole('table').filter({ hasText: 'Pending writes' });
    await pending.waitFor();
    const pendingRows = await pending.locator('tbody tr').allInnerTexts();
    expect(pendingRows.map((row) => row.split('\t').slice(1, 6))).toEqual([
      ['shop', 'items', 'plums', 'put', 'not sent'],
      ['shop', 'items', 'apples', 'patch', 'not sent'],
      ['shop', 'notes', 'old-note', 'delete', 'not sent'],
    ]);
    expect(await pending.getByRole('columnheader').allInnerTexts()).toEqual([
      'ID',
      'Space',
      'Collection',
      'Key',
      'Op',
      'State',
      'Age',
    ]);

    const runs = inspector.getByRole('table').filter({ hasText: 'Recent runs' });
    const [run] = await runs.locator('tbody tr').allInnerTexts();
    const cells = run?.split('\t') ?? [];
    expect(cells[0]).toBe('1');
    expect(cells[2]).toBe('manual');
    expect(cells[3]).toBe('success');
    expect(cells.slice(5, 8)).toEqual(['2', '2', '0']);

    const status = inspector.getByRole('definition');
    expect(await status.first().textContent()).toBe('pending');
    const sizes = inspector.getByRole('table').filter({ hasText: 'Records per collection' });
    await sizes.waitFor();
    expect(await sizes.locator('tbody tr').allInnerTexts()).toContain('shop\titems\t2');
    await expect(
      inspector.getByRole('button', { name: 'Close the inspector' }).isVisible(),
    ).resolves.toBe(true);

    // The page's own module does not carry the inspector: a chunk of its own does.
    const files = readdirSync(site).filter((name) => name.endsWith('.js'));
    const holding = files.filter((name) =>
      readFileSync(join(site, name), 'utf8').includes('Ferry inspector'),
    );
    expect(holding).toHaveLength(1);
    expect(holding[0]).not.toBe('page.js');

    await inspector.screenshot({ path: screenshot });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    await page.close();
  });
});
