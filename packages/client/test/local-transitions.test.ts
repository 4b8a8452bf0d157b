/**
 * Every local-state transition leaves memory and disk in agreement: after each kind of
 * change, a client state opened afresh on the same store equals the one kept in memory.
 * A transition that stored one value and set another in memory, or forgot either, fails.
 */
import type { ClientId, MutationId, SpaceId } from '@ferry/protocol';
import { describe, expect, it } from 'vitest';
import { type LocalState, META_KEYS, openLocalState } from '../src/local-state.ts';
import {
  mutationsRecorded,
  pagePulled,
  pokeApplied,
  pushAcknowledged,
  rejectionsReported,
  reserveMutationIds,
  type Transition,
} from '../src/local-transitions.ts';
import { silentLogger } from '../src/logger.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import type { OutboxEntry, Store } from '../src/store.ts';

const SPACES = ['team'];

function open(store: Store): Promise<LocalState> {
  return openLocalState(store, {
    generateClientId: () => 'client-1' as ClientId,
    spaces: SPACES,
    logger: silentLogger,
  });
}

/** What the store keeps; the rest (cursorVersion, pullRemaining) is memory only by design. */
function persisted(local: LocalState) {
  return {
    clientId: local.clientId,
    nextMutationId: local.nextMutationId,
    pushedThrough: local.pushedThrough,
    cursor: local.cursor,
    lastSuccessAt: local.lastSuccessAt,
    outbox: local.outbox.after(0),
    unreportedRejections: JSON.parse(JSON.stringify(local.unreportedRejections)),
  };
}

function entry(id: number, key: string): OutboxEntry {
  return {
    id: id as MutationId,
    space: 'team' as SpaceId,
    collection: 'todos',
    key,
    op: 'put',
    value: { title: key },
  };
}

async function commitAndCheck<R>(
  store: Store,
  local: LocalState,
  transition: Transition<R>,
): Promise<R> {
  for (const key of Object.keys(transition.batch.setMeta ?? {})) {
    expect(Object.values(META_KEYS)).toContain(key);
  }
  await store.commit(transition.batch);
  const result = transition.apply();
  expect(persisted(await open(store))).toEqual(persisted(local));
  return result;
}

describe('local state transitions', () => {
  it('keep memory and disk equal through every kind of change', async () => {
    const store = createMemoryStore();
    const local = await open(store);

    // Local mutations recorded.
    const first = reserveMutationIds(local, 3);
    const entries = [0, 1, 2].map((i) => entry(first + i, `k${i}`));
    expect(await commitAndCheck(store, local, mutationsRecorded(local, entries))).toBe(3);
    expect(local.nextMutationId).toBe(4);

    // Push acknowledged through 3, with the second mutation rejected.
    const rejections = new Map([[2, { code: 'forbidden', message: 'no' }]]);
    const removed = await commitAndCheck(
      store,
      local,
      pushAcknowledged(local, { lastMutationId: 3, rejections }, silentLogger),
    );
    expect(removed.map((m) => m.id)).toEqual([2]);
    expect(local.pushedThrough).toBe(3);
    expect(local.unreportedRejections.map((r) => r.mutation.id)).toEqual([2]);

    // The app told of the rejection.
    await commitAndCheck(store, local, rejectionsReported(local, local.unreportedRejections));
    expect(local.unreportedRejections).toEqual([]);

    // A page pulled to a cursor, more to come.
    const page = { cursor: 'c1', cursorVersion: 10, lastMutationId: 3 };
    const none = { spaces: SPACES, stale: false, finishedAt: undefined, logger: silentLogger };
    expect(await commitAndCheck(store, local, pagePulled(local, page, none))).toEqual([]);
    expect([local.cursor, local.cursorVersion, local.outbox.size]).toEqual(['c1', 10, 2]);

    // A stale last page: no cursor moves, but the outbox it confirms goes and the run succeeds.
    const stale = { cursor: 'c0', cursorVersion: 9, lastMutationId: 3 };
    const confirmed = await commitAndCheck(
      store,
      local,
      pagePulled(local, stale, { ...none, stale: true, finishedAt: 5_000 }),
    );
    expect(confirmed.map((m) => m.id)).toEqual([1, 3]);
    expect([local.cursor, local.lastSuccessAt, local.outbox.size]).toEqual(['c1', 5_000, 0]);

    // A last page from a server that has seen ids this client never handed out.
    const ahead = { cursor: 'c2', cursorVersion: 12, lastMutationId: 40 };
    await commitAndCheck(store, local, pagePulled(local, ahead, { ...none, finishedAt: 6_000 }));
    expect(local.nextMutationId).toBe(41);

    // A poke applied on top of the cursor.
    await commitAndCheck(store, local, pokeApplied(local, { cursor: 'c3', version: 13 }, 7_000));
    expect([local.cursor, local.cursorVersion, local.lastSuccessAt]).toEqual(['c3', 13, 7_000]);

    // A push acknowledged past the id counter moves it too.
    await commitAndCheck(
      store,
      local,
      pushAcknowledged(local, { lastMutationId: 50, rejections: new Map() }, silentLogger),
    );
    expect([local.pushedThrough, local.nextMutationId]).toEqual([50, 51]);
  });

  it('a poke applied with the clock behind the last success stores the value memory keeps', async () => {
    const store = createMemoryStore();
    const local = await open(store);
    // A poke is applied only on top of a pulled cursor.
    const page = { cursor: 'c0', cursorVersion: 0, lastMutationId: 0 };
    const last = { spaces: SPACES, stale: false, finishedAt: 1_000, logger: silentLogger };
    await commitAndCheck(store, local, pagePulled(local, page, last));
    await commitAndCheck(store, local, pokeApplied(local, { cursor: 'c1', version: 1 }, 9_000));
    await commitAndCheck(store, local, pokeApplied(local, { cursor: 'c2', version: 2 }, 8_000));
    expect(local.lastSuccessAt).toBe(9_000);
  });

  it('building a transition changes nothing in memory: a commit that then fails leaves both as they were', async () => {
    const store = createMemoryStore();
    const local = await open(store);
    const before = persisted(local);
    const built = [
      mutationsRecorded(local, [entry(1, 'a')]),
      pushAcknowledged(local, { lastMutationId: 9, rejections: new Map() }, silentLogger),
      rejectionsReported(local, []),
      pagePulled(
        local,
        { cursor: 'c1', cursorVersion: 1, lastMutationId: 9 },
        {
          spaces: SPACES,
          stale: false,
          finishedAt: 1_000,
          logger: silentLogger,
        },
      ),
      pokeApplied(local, { cursor: 'c1', version: 1 }, 1_000),
    ];
    expect(built).toHaveLength(5);
    expect(persisted(local)).toEqual(before);
    expect([local.cursorVersion, local.replaceAllOnNextPull]).toEqual([null, false]);
    expect(persisted(await open(store))).toEqual(before);
  });
});
