/**
 * Two devices of two users sharing a space, in two Chromium profiles: each one's change
 * reaches the other within a poke (the live event stream), both ways, and personal spaces
 * stay personal. With UPDATE_SCREENSHOTS=1 it also retakes the docs' screenshots of the demo;
 * otherwise they go to a temporary folder, so a test run leaves the working tree as it was.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addItem, eventually, itemTexts, newDevice, openAs } from './support/browser.ts';
import { demoSuite } from './support/suite.ts';

const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
    : `${mkdtempSync(join(tmpdir(), 'ferry-demo-screenshots-'))}/`;

const demo = demoSuite();

describe('two users sharing a list', () => {
  it('converge through the server within a poke, both ways', async () => {
    const alice = await openAs(
      await newDevice(demo.browser, demo.server.url),
      demo.server.url,
      'alice',
    );
    const bob = await openAs(
      await newDevice(demo.browser, demo.server.url),
      demo.server.url,
      'bob',
    );
    // Both live streams are open before anything is written, so only pokes can deliver.
    await eventually(
      () => demo.server.eventStreams(),
      (n) => n === 2,
      'two event streams',
    );

    await addItem(alice, 'team', 'Milk, from Alice');
    await eventually(
      () => itemTexts(bob, 'team'),
      (t) => t.some((x) => x.includes('Milk')),
      'Bob to see Alice’s item',
    );

    await addItem(bob, 'team', 'Bread, from Bob');
    await eventually(
      () => itemTexts(alice, 'team'),
      (t) => t.some((x) => x.includes('Bread')),
      'Alice to see Bob’s item',
    );

    await addItem(alice, 'mine', 'Alice’s own note');
    await eventually(
      () => alice.getByTestId('sync-status').getAttribute('data-state'),
      (state) => state === 'synced',
      'Alice to be synced',
    );
    expect((await itemTexts(bob, 'mine')).some((x) => x.includes('own note'))).toBe(false);

    await alice.screenshot({ path: `${SCREENSHOTS}demo-alice.png` });
    await bob.screenshot({ path: `${SCREENSHOTS}demo-bob.png` });
  });
});
