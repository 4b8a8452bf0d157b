/**
 * Opening the app pulls once. The start run pulls while the live stream opens; the
 * stream's opening poke, which arrives during or after that pull, names a version the pull
 * already reached and so asks for nothing more.
 */
import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { addItem, eventually, newDevice, openAs } from './support/browser.ts';
import { demoSuite } from './support/suite.ts';

const demo = demoSuite();

const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close().catch(() => {});
});

describe('starting the app', () => {
  it('makes one /v1/pull request on page load, and still receives what others write', async () => {
    // A server with data on it, as a device usually meets it.
    await demo.server.write([
      {
        space: 'team.demo',
        collection: 'items',
        key: 'already-there',
        op: 'put',
        value: { text: 'Already there', done: false, createdAt: 1, by: 'bob' },
      },
    ]);
    const context = await newDevice(demo.browser, demo.server.url);
    contexts.push(context);
    let pulls = 0;
    context.on('request', (request) => {
      if (new URL(request.url()).pathname === '/v1/pull') pulls += 1;
    });
    const page = await openAs(context, demo.server.url, 'alice');
    await eventually(
      () => page.getByTestId('sync-status').getAttribute('data-phase'),
      (phase) => phase === 'up-to-date',
      'alice to be synced',
    );
    await eventually(
      () => demo.server.eventStreams(),
      (n) => n === 1,
      'the live stream',
    );
    // Real time on purpose: a second pull would follow the stream's opening poke at once.
    await page.waitForTimeout(1_000);
    expect(pulls).toBe(1);

    // The live stream still brings what another device writes.
    const other = await newDevice(demo.browser, demo.server.url);
    contexts.push(other);
    const bob = await openAs(other, demo.server.url, 'bob');
    await addItem(bob, 'team', 'Seen without a restart');
    await page.getByTestId('list-team').getByText('Seen without a restart').waitFor();
  });
});
