/**
 * A status that never says "Synced" when it is not, as a person sees it in real Chromium:
 * - offline, unsent edits are counted and marked, and "Sync now" answers at once in words
 *   for people;
 * - when the server goes away, an idle live device leaves "Synced" within the stream's
 *   heartbeat window (short here), a device that writes says what is wrong in a banner, and
 *   once the server is back both resume by themselves and the banner goes;
 * - a new device shows that it is loading, never an empty list, until its first pull;
 * - "Details" opens Ferry's inspector, loaded only then, with the unsent writes in it.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { addItem, eventually, itemTexts, newDevice, openAs } from './support/browser.ts';
import { demoSuite } from './support/suite.ts';

/** Short, so that a silent stream is noticed in a couple of seconds. */
const HEARTBEAT_MS = 1_000;

const demo = demoSuite({ heartbeatMs: HEARTBEAT_MS });

const contexts: BrowserContext[] = [];
afterEach(async () => {
  demo.server.holdPulls(false);
  for (const context of contexts.splice(0)) await context.close().catch(() => {});
});

async function device(user: 'alice' | 'bob'): Promise<Page> {
  const context = await newDevice(demo.browser, demo.server.url);
  contexts.push(context);
  return openAs(context, demo.server.url, user);
}

const phase = (page: Page) => page.getByTestId('sync-status').getAttribute('data-phase');
/** Read in one go in the page: an element read in two steps may go in between. */
const pendingCount = (page: Page) =>
  page.evaluate(() => document.querySelector('[data-testid="pending-count"]')?.textContent ?? null);
const banner = (page: Page) =>
  page.evaluate(() => {
    const shown = document.querySelector('[data-testid="sync-banner"]');
    return shown === null
      ? null
      : { code: shown.getAttribute('data-code'), text: shown.textContent };
  });

describe('the status a person sees', () => {
  it('offline: three unsent edits are counted and marked, and Sync now answers at once', async () => {
    const page = await device('alice');
    await eventually(
      () => phase(page),
      (p) => p === 'up-to-date',
      'alice to be synced',
    );
    const context = page.context();
    await context.setOffline(true);
    for (const text of ['Offline one', 'Offline two', 'Offline three']) {
      await addItem(page, 'mine', text);
    }
    await eventually(
      () => pendingCount(page),
      (n) => n === '3 pending',
      'the pending count',
    );
    await eventually(
      () => phase(page),
      (p) => p === 'offline',
      'the offline phase',
    );
    expect(await page.getByTestId('list-mine').getByTestId('not-sent').count()).toBe(3);

    // The request settles while still offline: the button is usable again and says why.
    await page.getByTestId('sync-now').click();
    await eventually(
      () => page.getByTestId('sync-now').isEnabled(),
      (enabled) => enabled,
      'Sync now to settle',
    );
    const refused = await eventually(
      () => banner(page),
      (b) => b !== null,
      'the banner',
    );
    expect(refused).toEqual({
      code: 'offline',
      text: "You're offline — changes are kept and will be sent when you're back online×",
    });
    expect(await pendingCount(page)).toBe('3 pending');

    await context.setOffline(false);
    await eventually(
      () => pendingCount(page),
      (n) => n === null,
      'the edits to be sent',
    );
    await eventually(
      () => banner(page),
      (b) => b === null,
      'the banner to clear',
    );
    await eventually(
      () => phase(page),
      (p) => p === 'up-to-date',
      'alice synced again',
    );
    expect(await page.getByTestId('list-mine').getByTestId('not-sent').count()).toBe(0);
    expect(await demo.server.texts('alice', 'user.alice')).toEqual(
      expect.arrayContaining(['Offline one', 'Offline two', 'Offline three']),
    );
  });

  it('server gone: idle bob leaves Synced, alice is told in words; server back: both resume and the banner goes', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    await eventually(
      () => phase(bob),
      (p) => p === 'up-to-date',
      'bob to be synced',
    );
    await eventually(
      () => phase(alice),
      (p) => p === 'up-to-date',
      'alice to be synced',
    );

    demo.server.goDown();
    // Bob does nothing: only his stream's heartbeat can tell him.
    const left = await eventually(
      () => phase(bob),
      (p) => p !== 'up-to-date',
      'bob to leave Synced',
      HEARTBEAT_MS * 10,
    );
    expect(left).toBe('reconnecting');
    expect(await bob.getByTestId('sync-status').textContent()).not.toContain('Synced');

    await addItem(alice, 'team', 'Written during the outage');
    const told = await eventually(
      () => banner(alice),
      (b) => b !== null,
      "alice's banner",
    );
    expect(told?.code).toBe('unreachable');
    expect(told?.text).toBe("Can't reach the server — changes are kept and will be sent×");
    expect(await pendingCount(alice)).toBe('1 pending');
    expect(await alice.getByTestId('list-team').getByTestId('not-sent').count()).toBe(1);

    await demo.server.comeBack();
    await eventually(
      () => itemTexts(bob, 'team'),
      (texts) => texts.some((t) => t.includes('Written during the outage')),
      'bob to receive what alice wrote during the outage',
      60_000,
    );
    await addItem(alice, 'team', 'Written after the outage');
    await eventually(
      () => itemTexts(bob, 'team'),
      (texts) => texts.some((t) => t.includes('Written after the outage')),
      'bob to receive a new write',
      60_000,
    );
    await eventually(
      () => banner(alice),
      (b) => b === null,
      "alice's banner to clear",
    );
    await eventually(
      () => pendingCount(alice),
      (n) => n === null,
      "alice's pending edits",
    );
    await eventually(
      () => phase(bob),
      (p) => p === 'up-to-date',
      'bob synced again',
    );
  });

  it('the banner can be dismissed, and comes back for a new problem', async () => {
    const page = await device('alice');
    await eventually(
      () => phase(page),
      (p) => p === 'up-to-date',
      'alice to be synced',
    );
    await page.context().setOffline(true);
    await page.getByTestId('sync-now').click();
    await eventually(
      () => banner(page),
      (b) => b?.code === 'offline',
      'the banner',
    );
    await page.getByTestId('dismiss-banner').click();
    expect(await banner(page)).toBeNull();
    await page.getByTestId('sync-now').click();
    await eventually(
      () => banner(page),
      (b) => b?.code === 'offline',
      'the banner again',
    );
    await page.context().setOffline(false);
    await eventually(
      () => banner(page),
      (b) => b === null,
      'the banner to clear',
    );
  });

  it('a new device shows it is loading, not an empty list, until its first pull', async () => {
    const writer = await device('bob');
    await addItem(writer, 'team', 'Already on the server');
    await eventually(
      // Read as alice, who shares the team space: the check's client id is hers in this file.
      () => demo.server.texts('alice', 'team.demo'),
      (texts) => texts.includes('Already on the server'),
      'the item to reach the server',
    );
    demo.server.holdPulls(true);
    const page = await device('alice');
    const team = page.getByTestId('list-team');
    await team.getByTestId('list-loading').waitFor();
    expect(await team.textContent()).not.toContain('Nothing here yet');
    expect(await phase(page)).toBe('loading');
    expect(await page.getByTestId('last-synced').textContent()).toBe('Not synced yet');
    expect(await page.getByTestId('sync-status').textContent()).not.toContain('Synced');

    demo.server.holdPulls(false);
    await team.getByText('Already on the server').waitFor();
    await eventually(
      () => phase(page),
      (p) => p === 'up-to-date',
      'alice to be synced',
    );
  });

  it('Details opens the inspector, loaded only then, with the writes not yet sent', async () => {
    const page = await device('alice');
    await eventually(
      () => phase(page),
      (p) => p === 'up-to-date',
      'alice to be synced',
    );
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    });
    expect(await page.getByTestId('ferry-inspector').count()).toBe(0);

    await page.getByTestId('sync-details').click();
    const inspector = page.getByTestId('ferry-inspector');
    await inspector.waitFor();
    // Its code came as a chunk of its own when opened, not with the app.
    expect(scripts.length).toBeGreaterThan(0);
    await inspector.getByText('No pending writes').waitFor();

    await page.context().setOffline(true);
    await addItem(page, 'mine', 'Seen in the details');
    await addItem(page, 'mine', 'Also in the details');
    const pending = inspector.getByRole('region', { name: 'Pending writes' });
    await pending.getByText('Pending writes: 2').waitFor();
    expect(await pending.locator('tbody tr').count()).toBe(2);
    expect(await pending.textContent()).toContain('not sent');

    await page.context().setOffline(false);
    await pending.getByText('No pending writes').waitFor();
    await inspector.getByRole('button', { name: 'Close the inspector' }).click();
    expect(await page.getByTestId('ferry-inspector').count()).toBe(0);
  });
});
