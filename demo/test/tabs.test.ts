/**
 * Two tabs of the same user on one device: one sync engine runs (one holder of the store's
 * Web Lock, one live stream to the server) while both tabs read and write, and killing the
 * leader's page hands the lead to the other tab, which goes on syncing.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addItem, eventually, itemTexts, newDevice, openAs } from './support/browser.ts';
import { demoSuite } from './support/suite.ts';

const demo = demoSuite();

const STORE_LOCK = 'ferry:ferry-demo-alice';

/** Holders of and waiters for the store's lock, as the origin's lock manager sees them. */
async function storeLock(page: Page): Promise<{ held: number; pending: number }> {
  return page.evaluate(async (name) => {
    const { held = [], pending = [] } = await navigator.locks.query();
    return {
      held: held.filter((lock) => lock.name === name).length,
      pending: pending.filter((lock) => lock.name === name).length,
    };
  }, STORE_LOCK);
}

const texts = (space: string) => demo.server.texts('alice', space);

describe('two tabs of one user', () => {
  it('run one sync engine, and the other tab takes over when the leader’s page dies', async () => {
    const context = await newDevice(demo.browser, demo.server.url);
    const first = await openAs(context, demo.server.url, 'alice');
    await eventually(
      () => storeLock(first),
      (lock) => lock.held === 1,
      'the first tab to lead',
    );
    const second = await context.newPage();
    await second.goto(demo.server.url);
    await second.getByTestId('list-team').waitFor();

    // The second tab's engine waits in the lock's queue; one live stream serves both tabs.
    await eventually(
      () => storeLock(second),
      (l) => l.held === 1 && l.pending === 1,
      'one leader and one waiting',
    );
    await eventually(
      () => demo.server.eventStreams(),
      (n) => n === 1,
      'one event stream',
    );

    await addItem(second, 'team', 'Written in the second tab');
    await eventually(
      () => itemTexts(first, 'team'),
      (t) => t.some((x) => x.includes('second tab')),
      'the first tab to show it',
    );
    await eventually(
      () => texts('team.demo'),
      (t) => t.includes('Written in the second tab'),
      'the server to have it',
    );

    // Kill the leader's page (a renderer crash, not a polite close).
    const cdp = await context.newCDPSession(first);
    const crashed = first.waitForEvent('crash');
    // The crashed renderer never answers this call.
    void cdp.send('Page.crash').catch(() => {});
    await crashed;
    await eventually(
      () => storeLock(second),
      (l) => l.held === 1 && l.pending === 0,
      'the second tab to lead',
    );
    await eventually(
      () => demo.server.eventStreams(),
      (n) => n === 1,
      'the new leader’s event stream',
    );

    await addItem(second, 'team', 'Written after the leader died');
    await eventually(
      () => texts('team.demo'),
      (t) => t.includes('Written after the leader died'),
      'the server to have the write made after the hand-over',
    );
    expect(await texts('team.demo')).toEqual(
      expect.arrayContaining(['Written in the second tab', 'Written after the leader died']),
    );
    await context.close();
  }, 90_000);
});
