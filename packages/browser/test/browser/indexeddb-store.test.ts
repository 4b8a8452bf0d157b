/**
 * The IndexedDB store in real Chromium with real IndexedDB: the shared acceptance suite
 * with a reopen, and writer-epoch fencing.
 */
import { FerryLeadershipLostError, openIndexedDbStore } from '@ferry/browser';
import { runStoreAcceptanceTests } from '@ferry/testing';
import { describe, expect, it } from 'vitest';

const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
let n = 0;
const freshName = () => `ferry-chromium-${run}-${++n}`;

runStoreAcceptanceTests('IndexedDB store (Chromium)', async () => {
  const name = freshName();
  return { store: await openIndexedDbStore({ name }), reopen: () => openIndexedDbStore({ name }) };
});

describe('IndexedDB store in Chromium', () => {
  it('uses the real IndexedDB of the page', async () => {
    const store = await openIndexedDbStore({ name: freshName() });
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toContain(store.name);
    await store.close();
  });

  it('fences commits by writer epoch across two connections, as two tabs would have', async () => {
    const name = freshName();
    const tabA = await openIndexedDbStore({ name });
    const tabB = await openIndexedDbStore({ name });
    const leaderA = await tabA.claim();
    await leaderA.commit({ setMeta: { cursor: 'a' } });
    const leaderB = await tabB.claim();
    expect(leaderB.epoch).toBe(leaderA.epoch + 1);

    await expect(
      leaderA.commit({
        putRecords: [
          { space: 's1', collection: 'todos', key: 'k', value: { by: 'a' }, version: 2 },
        ],
        setMeta: { cursor: 'a2' },
      }),
    ).rejects.toBeInstanceOf(FerryLeadershipLostError);
    expect(await tabB.getMeta('cursor')).toBe('a');
    expect(await tabB.listRecords('s1', 'todos')).toEqual([]);

    await leaderB.commit({ setMeta: { cursor: 'b' } });
    expect(await leaderA.getMeta('cursor')).toBe('b');
    await tabA.close();
    await tabB.close();
  });
});
