/**
 * Working with items as a person expects, in real Chromium against the demo's server:
 * ticking writes what the box shows, an editor notices a change made elsewhere, a delete can
 * be undone, focus stays where the keyboard is, long text meets a visible limit, a screen
 * reader hears "added by", the phone header keeps "Sign out", and lists come in creation
 * order from their index.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { addItem, eventually, newDevice, openAs } from './support/browser.ts';
import { demoSuite } from './support/suite.ts';

const demo = demoSuite();

const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close().catch(() => {});
});

async function device(user: 'alice' | 'bob', viewport?: { width: number; height: number }) {
  const context = await newDevice(demo.browser, demo.server.url);
  contexts.push(context);
  if (viewport) await context.pages()[0]?.setViewportSize(viewport);
  const page = await openAs(context, demo.server.url, user);
  if (viewport) await page.setViewportSize(viewport);
  return page;
}

const item = (page: Page, list: 'mine' | 'team', text: string) =>
  page.getByTestId(`list-${list}`).getByTestId('item').filter({ hasText: text });

/** Where the keyboard is: the focused element's test id and the text of its item. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    return {
      testId: active?.getAttribute('data-testid') ?? null,
      item: active?.closest('[data-testid="item"]')?.querySelector('.body')?.textContent ?? null,
    };
  });

async function serverItem(space: string, text: string): Promise<boolean> {
  return (await demo.server.texts('alice', space)).includes(text);
}

/** The `done` of the team item with this text, as the server holds it. */
async function serverDone(text: string): Promise<boolean | undefined> {
  const values = await demo.server.values('alice', 'team.demo');
  const done = values.find((value) => value.text === text)?.done;
  return typeof done === 'boolean' ? done : undefined;
}

describe('items, as a person uses them', () => {
  it('two devices ticking the same item at once both leave it ticked', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    await addItem(alice, 'team', 'Tick me twice');
    await item(bob, 'team', 'Tick me twice').waitFor();

    // Neither has seen the other's tick when it ticks: bob ticks offline first, then alice;
    // bob's goes out when he is back online. (Offline emulation leaves an open socket alone,
    // so bob could see alice's tick arrive; his own must already be made by then.)
    await bob.context().setOffline(true);
    await item(bob, 'team', 'Tick me twice').getByRole('checkbox').click();
    await eventually(
      () => bob.getByTestId('pending-count').count(),
      (n) => n === 1,
      "bob's tick to wait in his outbox",
    );
    await item(alice, 'team', 'Tick me twice').getByRole('checkbox').click();
    await eventually(
      () => serverDone('Tick me twice'),
      (done) => done === true,
      "alice's tick",
    );
    await bob.context().setOffline(false);
    for (const page of [alice, bob]) {
      await eventually(
        () => page.getByTestId('pending-count').count(),
        (n) => n === 0,
        'the ticks to be sent',
      );
    }
    // Both writes said "done"; whichever came last, the item stays ticked everywhere.
    for (const page of [alice, bob]) {
      await eventually(
        () => item(page, 'team', 'Tick me twice').getByRole('checkbox').isChecked(),
        (checked) => checked,
        'the item ticked on both devices',
      );
    }
    expect(await serverDone('Tick me twice')).toBe(true);
    expect(await item(alice, 'team', 'Tick me twice').getByRole('checkbox').isChecked()).toBe(true);
    expect(await item(bob, 'team', 'Tick me twice').getByRole('checkbox').isChecked()).toBe(true);
  });

  it('an editor open while the item changes elsewhere says so and overwrites nothing until told', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    await addItem(alice, 'team', 'Milk');
    await item(bob, 'team', 'Milk').waitFor();

    await item(bob, 'team', 'Milk').getByTestId('item-text').click();
    const bobField = bob.getByLabel('Edit text');
    await bobField.fill('Soy milk');

    await item(alice, 'team', 'Milk').getByTestId('item-text').click();
    await alice.getByLabel('Edit text').fill('Oat milk');
    await alice.getByLabel('Edit text').press('Enter');
    await eventually(
      () => serverItem('team.demo', 'Oat milk'),
      Boolean,
      "alice's edit on the server",
    );

    const notice = bob.getByTestId('changed-elsewhere');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Changed on another device to “Oat milk”');
    expect(await bobField.inputValue()).toBe('Soy milk');
    // Enter does not overwrite while the choice is open.
    await bobField.press('Enter');
    expect(await notice.isVisible()).toBe(true);
    await bob.waitForTimeout(300);
    expect(await serverItem('team.demo', 'Soy milk')).toBe(false);

    await bob.getByTestId('keep-mine').click();
    await eventually(
      () => serverItem('team.demo', 'Soy milk'),
      Boolean,
      "bob's edit on the server",
    );
    await item(alice, 'team', 'Soy milk').waitFor();
  });

  it('taking the other version replaces the draft and saves nothing', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    await addItem(alice, 'team', 'Bread');
    await item(bob, 'team', 'Bread').waitFor();
    await item(bob, 'team', 'Bread').getByTestId('item-text').click();
    await bob.getByLabel('Edit text').fill('White bread');
    await item(alice, 'team', 'Bread').getByTestId('item-text').click();
    await alice.getByLabel('Edit text').fill('Rye bread');
    await alice.getByLabel('Edit text').press('Enter');

    await bob.getByTestId('take-theirs').click();
    expect(await bob.getByLabel('Edit text').inputValue()).toBe('Rye bread');
    expect(await bob.getByTestId('changed-elsewhere').count()).toBe(0);
    await bob.getByLabel('Edit text').press('Escape');
    await item(bob, 'team', 'Rye bread').waitFor();
    expect(await serverItem('team.demo', 'White bread')).toBe(false);
  });

  it('a deleted item can be undone for a few seconds, and comes back everywhere', async () => {
    const alice = await device('alice');
    await addItem(alice, 'team', 'Keep me after all');
    await eventually(() => serverItem('team.demo', 'Keep me after all'), Boolean, 'the item sent');

    await item(alice, 'team', 'Keep me after all').getByTestId('delete-item').click();
    await eventually(
      () => item(alice, 'team', 'Keep me after all').count(),
      (n) => n === 0,
      'gone',
    );
    const undo = alice.getByTestId('list-team').getByTestId('undo-delete');
    expect(await undo.textContent()).toContain('Deleted “Keep me after all”.');
    await eventually(
      () => serverItem('team.demo', 'Keep me after all'),
      (held) => !held,
      'deleted',
    );

    await undo.getByRole('button', { name: 'Undo' }).click();
    await item(alice, 'team', 'Keep me after all').waitFor();
    expect(await undo.count()).toBe(0);
    await eventually(() => serverItem('team.demo', 'Keep me after all'), Boolean, 'restored');
  });

  it('focus returns to the item after Escape and moves on after a delete', async () => {
    // Bob's own list is used by this test only, so it holds just these two items.
    const bob = await device('bob');
    await addItem(bob, 'mine', 'First');
    await addItem(bob, 'mine', 'Second');

    await item(bob, 'mine', 'First').getByTestId('item-text').click();
    await bob.getByLabel('Edit text').press('Escape');
    expect(await focused(bob)).toEqual({ testId: 'item-text', item: 'First' });

    await item(bob, 'mine', 'First').getByTestId('delete-item').click();
    await eventually(
      () => item(bob, 'mine', 'First').count(),
      (n) => n === 0,
      'First gone',
    );
    expect(await focused(bob)).toEqual({ testId: 'item-text', item: 'Second' });

    await item(bob, 'mine', 'Second').getByTestId('delete-item').press('Enter');
    await eventually(
      () => item(bob, 'mine', 'Second').count(),
      (n) => n === 0,
      'Second gone',
    );
    expect(await focused(bob)).toEqual({ testId: 'new-item-mine', item: null });
  });

  it('text meets a visible limit: a counter near it, and a message when more is refused', async () => {
    const alice = await device('alice');
    const field = alice.getByTestId('new-item-mine');
    const limit = alice.getByTestId('list-mine').getByTestId('text-limit');
    await field.fill('a'.repeat(100));
    expect(await limit.count()).toBe(0);
    await field.fill('a'.repeat(450));
    expect(await limit.textContent()).toBe('450 / 500 characters');
    await field.fill('b'.repeat(600));
    expect((await field.inputValue()).length).toBe(500);
    expect(await limit.textContent()).toBe(
      '500 characters is the limit — nothing more can be typed.',
    );
    expect(await limit.isVisible()).toBe(true);
  });

  it('a screen reader hears the item and its author apart', async () => {
    const alice = await device('alice');
    const bob = await device('bob');
    await addItem(alice, 'team', 'Buy stamps');
    await item(bob, 'team', 'Buy stamps').waitFor();
    // Chromium puts a space before the hidden text's comma; a screen reader reads the comma.
    const named = bob.getByRole('button', { name: /^Buy stamps ?, added by alice$/ });
    await eventually(
      () => named.count(),
      (n) => n === 1,
      'the accessible name',
    );
    // On screen the author stays a separate, quiet name.
    expect(await named.locator('.by').isVisible()).toBe(true);
  });

  it('on a phone, Sign out stays in the header', async () => {
    const page = await device('alice', { width: 390, height: 844 });
    const header = await page.locator('header.top').boundingBox();
    const signOut = page.getByTestId('sign-out');
    expect(await signOut.isVisible()).toBe(true);
    const button = await signOut.boundingBox();
    if (header === null || button === null) throw new Error('header or Sign out not laid out');
    expect(button.x).toBeGreaterThanOrEqual(header.x);
    expect(button.x + button.width).toBeLessThanOrEqual(Math.min(header.x + header.width, 390));
    expect(button.y).toBeGreaterThanOrEqual(header.y);
    expect(button.y + button.height).toBeLessThanOrEqual(header.y + header.height);
    // Beside the title, not on a line of its own below it.
    const title = await page.locator('header.top h1').boundingBox();
    expect(title && button.y < title.y + title.height).toBe(true);
  });

  it('a list shows its items in creation order, read through its index', async () => {
    await demo.server.write(
      [
        ['order-a', 'Made third', 3_000],
        ['order-b', 'Made first', 1_000],
        ['order-c', 'Made second', 2_000],
      ].map(([key, text, createdAt]) => ({
        space: 'user.alice',
        collection: 'items',
        key: key as string,
        op: 'put' as const,
        value: { text: text as string, done: false, createdAt: createdAt as number, by: 'alice' },
      })),
    );
    const alice = await device('alice');
    const texts = await eventually(
      () => alice.getByTestId('list-mine').locator('[data-testid="item"] .body').allTextContents(),
      (all) => all.some((t) => t.includes('Made third')),
      'the written items',
    );
    const made = texts.filter((t) => t.startsWith('Made'));
    expect(made).toEqual(['Made first', 'Made second', 'Made third']);
  });
});
