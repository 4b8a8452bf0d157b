/**
 * The promises that matter when the network or the app goes away, in real Chromium with
 * the demo's real service worker:
 * - edits made offline are shown at once, survive a reload (the app itself served by the
 *   service worker) and are pushed when the network returns;
 * - with every page of the app closed, a Background Sync event drains the outbox;
 * - a Web Push poke makes the service worker pull and show a notification;
 * - the runs those events started say so in the inspector: `background` and `push`.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addItem,
  eventually,
  newDevice,
  openAs,
  type ServiceWorkerControl,
  serviceWorkerControl,
  waitForServiceWorker,
} from './support/browser.ts';
import { demoSuite } from './support/suite.ts';

const demo = demoSuite();

const texts = (user: string, space: string) => demo.server.texts(user, space);

const contexts: BrowserContext[] = [];
afterEach(async () => {
  demo.server.refusePushes(false);
  for (const context of contexts.splice(0)) await context.close().catch(() => {});
});

async function offlineDevice(): Promise<BrowserContext> {
  const context = await newDevice(demo.browser, demo.server.url);
  contexts.push(context);
  const page = await openAs(context, demo.server.url, 'alice');
  await waitForServiceWorker(page);
  return context;
}

/**
 * Waits until no page of the app and no worker is left: a closed page's sync worker could
 * otherwise still sync by itself. (No page of the origin may be opened to check: offline,
 * the service worker would start the app in it.)
 */
async function appGone(): Promise<void> {
  const targets = await demo.browser.newBrowserCDPSession();
  await eventually(
    async () => (await targets.send('Target.getTargets')).targetInfos,
    (infos) =>
      !infos.some(
        (info) =>
          info.type === 'worker' || (info.type === 'page' && info.url.startsWith(demo.server.url)),
      ),
    'the app and its sync worker to be gone',
  );
  await targets.detach();
}

/**
 * The browser's offline emulation does not reliably reach the app's dedicated sync worker
 * (a request of its can still get through), so while "offline" the server also refuses
 * every push: nothing the device sends in that time can land.
 */
async function goOffline(context: BrowserContext): Promise<void> {
  demo.server.refusePushes(true);
  await context.setOffline(true);
}

async function goOnline(context: BrowserContext): Promise<void> {
  await context.setOffline(false);
  demo.server.refusePushes(false);
}

/**
 * Delivers a Web Push poke and waits until the service worker's pull reaches the server.
 * DevTools answers a delivery at once whether or not the worker got it, so one that led to
 * no pull is delivered once more: a poke says nothing but "pull", as the push service's next
 * one would, and a second handler joins the first one's run if it is still going.
 */
async function deliverPoke(serviceWorker: ServiceWorkerControl): Promise<void> {
  const poke = JSON.stringify({ type: 'poke', version: 1 });
  for (let attempt = 1; ; attempt++) {
    const before = demo.server.pullRequests();
    await serviceWorker.deliverPush(poke);
    try {
      await eventually(
        async () => demo.server.pullRequests(),
        (count) => count > before,
        `the service worker to pull after poke ${attempt}`,
        10_000,
      );
      return;
    } catch (error) {
      if (attempt === 2) throw error;
    }
  }
}

/**
 * Opens Ferry's inspector from the page's Details button and waits until its list of
 * recent runs has one whose triggers are `trigger` (it takes a new snapshot every 2 s).
 */
async function expectRunTriggeredBy(page: Page, trigger: string): Promise<void> {
  await page.getByTestId('sync-details').click();
  const runs = page
    .getByTestId('ferry-inspector')
    .getByRole('table')
    .filter({ hasText: 'Recent runs' });
  await eventually(
    () => runs.locator('tbody tr td:nth-child(3)').allInnerTexts(),
    (triggers) => triggers.includes(trigger),
    `a run triggered by ${trigger} in the inspector`,
  );
}

describe('offline', () => {
  it('keeps edits made offline across a reload and pushes them when back online', async () => {
    const context = await offlineDevice();
    const page = context.pages()[0];
    if (page === undefined) throw new Error('no page');
    await goOffline(context);
    await addItem(page, 'mine', 'Written offline');
    await eventually(
      () => page.getByTestId('sync-status').getAttribute('data-state'),
      (state) => state === 'offline',
      'the offline status',
    );

    await page.reload();
    await page.getByTestId('list-mine').getByText('Written offline').waitFor();
    expect(await texts('alice', 'user.alice')).not.toContain('Written offline');

    await goOnline(context);
    await eventually(
      () => texts('alice', 'user.alice'),
      (t) => t.includes('Written offline'),
      'the server to have the offline edit',
    );
    await eventually(
      () => page.getByTestId('sync-status').getAttribute('data-state'),
      (state) => state === 'synced',
      'the synced status',
    );
    await context.close();
  });
});

describe('with every page of the app closed', () => {
  it('drains the outbox on a Background Sync event', async () => {
    const context = await offlineDevice();
    const page = context.pages()[0];
    if (page === undefined) throw new Error('no page');
    await goOffline(context);
    await addItem(page, 'mine', 'Queued while offline');
    await page.close();
    await appGone();
    await context.setOffline(false);
    // Still refused until checked: only the service worker's run below may deliver it.
    expect(await texts('alice', 'user.alice')).not.toContain('Queued while offline');
    demo.server.refusePushes(false);

    const blank = await context.newPage();
    const serviceWorker = await serviceWorkerControl(context, blank, demo.server.url);
    await serviceWorker.dispatchSync();
    await eventually(
      () => texts('alice', 'user.alice'),
      (t) => t.includes('Queued while offline'),
      'the service worker to push the queued edit',
    );
    // The service worker's run is in the store's history as what it was: a background run.
    const reopened = await context.newPage();
    await reopened.goto(demo.server.url);
    await expectRunTriggeredBy(reopened, 'background');
    await context.close();
  });

  it('pulls on a Web Push poke and shows a notification of what arrived', async () => {
    const context = await offlineDevice();
    await context.pages()[0]?.close();
    await appGone();
    await demo.server.write([
      {
        space: 'team.demo',
        collection: 'items',
        key: 'pushed-item',
        op: 'put',
        value: { text: 'Arrived by push', done: false, createdAt: Date.now(), by: 'bob' },
      },
    ]);

    const blank = await context.newPage();
    const serviceWorker = await serviceWorkerControl(context, blank, demo.server.url);
    await deliverPoke(serviceWorker);
    const worker = context.serviceWorkers()[0];
    if (worker === undefined) throw new Error('no service worker');
    const notifications = await eventually(
      () =>
        worker.evaluate(async () => {
          // Runs in the service worker, whose global has the registration.
          const scope = self as unknown as { registration: ServiceWorkerRegistration };
          const shown = await scope.registration.getNotifications();
          return shown.map((n) => `${n.title}: ${n.body}`);
        }),
      (shown) => shown.length > 0,
      'a notification',
    );
    // The device may still be pulling what it had not seen yet, so the count can be higher.
    expect(notifications[0]).toMatch(/^Ferry lists: \d+ changes? synced$/);

    // Pulled into the device's store: the app shows it even offline.
    await context.setOffline(true);
    const page = await context.newPage();
    await page.goto(demo.server.url);
    await page.getByTestId('list-team').getByText('Arrived by push').waitFor();
    await expectRunTriggeredBy(page, 'push');
    await context.close();
  });
});
