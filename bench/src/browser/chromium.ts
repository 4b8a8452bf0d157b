/**
 * Headless Chromium for the browser workloads, driven by playwright-core, with the flags the
 * repo's browser tests use. The pages come from the bench's static server and talk to each
 * system's server on another port; web security is off so that needs no CORS (every system
 * is then reached as a same-origin app would reach it: no preflight requests).
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../test/support/chromium.ts';
import { type BrowserBundle, type BundleOptions, bundleBrowserPages } from './bundle.ts';

export interface BenchBrowser {
  /** A fresh profile (empty IndexedDB) with `entry`'s page loaded and its module ready. */
  open(entry: string, ready: string): Promise<{ page: Page; close(): Promise<void> }>;
  close(): Promise<void>;
}

export async function launchBenchBrowser(pages?: BundleOptions): Promise<BenchBrowser> {
  const bundle: BrowserBundle = await bundleBrowserPages(pages);
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, '--disable-web-security'],
      headless: true,
    });
  } catch (error) {
    await bundle.close();
    throw error;
  }
  return {
    async open(entry, ready) {
      const context = await browser.newContext({ viewport: { width: 400, height: 300 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${bundle.origin}/${entry}.html`);
      await page
        .waitForFunction((name) => name in window, ready, { timeout: 30_000 })
        .catch((error: Error) => {
          throw new Error(`${entry} did not load: ${errors.join('; ') || error.message}`);
        });
      return { page, close: () => context.close() };
    },
    async close() {
      await browser.close();
      await bundle.close();
    },
  };
}
