/**
 * Debian's Chromium driven by playwright-core for the demo's end-to-end tests, and the
 * DevTools-protocol calls that fire service-worker events (Background Sync, Web Push) the
 * way the browser would. Those calls answer `{}` even when nothing happens, so tests always
 * check a side effect.
 */
import {
  type Browser,
  type BrowserContext,
  type CDPSession,
  chromium,
  type Page,
} from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../test/support/chromium.ts';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A fresh profile (one device) with notifications allowed for the demo's origin. */
export async function newDevice(browser: Browser, origin: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 420, height: 860 } });
  await context.grantPermissions(['notifications'], { origin });
  return context;
}

/** Opens the demo and signs in; resolves once the lists are on screen. */
export async function openAs(context: BrowserContext, url: string, user: 'alice' | 'bob') {
  const page = await context.newPage();
  await page.goto(url);
  const signIn = page.getByTestId(`sign-in-${user}`);
  const list = page.getByTestId('list-team');
  await Promise.race([signIn.waitFor(), list.waitFor()]);
  if (await signIn.isVisible()) await signIn.click();
  await list.waitFor();
  return page;
}

/** Waits until the page's service worker controls it, so it can also serve the app offline. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
    timeout: 15_000,
  });
}

export async function addItem(page: Page, list: 'mine' | 'team', text: string): Promise<void> {
  const input = page.getByTestId(`new-item-${list}`);
  await input.fill(text);
  await input.press('Enter');
  await page.getByTestId(`list-${list}`).getByText(text).waitFor();
}

/** The texts of a list's items, as shown. */
export async function itemTexts(page: Page, list: 'mine' | 'team'): Promise<string[]> {
  return page.getByTestId(`list-${list}`).getByTestId('item').allTextContents();
}

export interface ServiceWorkerControl {
  dispatchSync(tag?: string): Promise<void>;
  dispatchPeriodicSync(tag?: string): Promise<void>;
  deliverPush(data: string): Promise<void>;
}

/**
 * A DevTools session on `page` (any page of the context, `about:blank` included: the
 * ServiceWorker domain is only on page sessions) aimed at the registration for `origin`.
 */
export async function serviceWorkerControl(
  context: BrowserContext,
  page: Page,
  origin: string,
): Promise<ServiceWorkerControl> {
  const cdp: CDPSession = await context.newCDPSession(page);
  const registrationId = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const found = registrations.find((r) => !r.isDeleted && r.scopeURL === `${origin}/`);
      if (found) resolve(found.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const id = await registrationId;
  return {
    async dispatchSync(tag = 'ferry-sync') {
      await cdp.send('ServiceWorker.dispatchSyncEvent', {
        origin,
        registrationId: id,
        tag,
        lastChance: false,
      });
    },
    async dispatchPeriodicSync(tag = 'ferry-periodic-sync') {
      await cdp.send('ServiceWorker.dispatchPeriodicSyncEvent', {
        origin,
        registrationId: id,
        tag,
      });
    },
    async deliverPush(data) {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: id, data });
    },
  };
}

/** Polls `read` until `accept` holds, or fails with the last value seen. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}
