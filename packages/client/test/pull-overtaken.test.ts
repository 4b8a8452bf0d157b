/**
 * A pull page that a poke's changes overtook on its way (its cursor stands at or below the
 * client's) must not put older states back: only its outbox confirmation counts.
 */
import type { MutationId, SpaceId } from '@ferry/protocol';
import { describe, expect, it } from 'vitest';
import type { SyncContext } from '../src/engine-context.ts';
import type { LocalState } from '../src/local-state.ts';
import { silentLogger } from '../src/logger.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { createMutex } from '../src/mutex.ts';
import { Outbox } from '../src/outbox.ts';
import { pullChanges } from '../src/pull.ts';

const address = { space: 'alice', collection: 'todos', key: 't1' };

async function clientAt(version: number) {
  const store = createMemoryStore();
  await store.commit({
    putRecords: [{ ...address, version, value: { title: 'from the poke' } }],
    setMeta: { cursor: `c${version}` },
  });
  const local: LocalState = {
    clientId: 'c1' as LocalState['clientId'],
    nextMutationId: 3,
    pushedThrough: 2,
    cursor: `c${version}`,
    cursorVersion: version,
    replaceAllOnNextPull: false,
    lastSuccessAt: null,
    outbox: new Outbox([
      {
        id: 2 as MutationId,
        space: 'alice' as SpaceId,
        collection: 'todos',
        key: 't2',
        op: 'put',
        value: { title: 'x' },
      },
    ]),
    unreportedRejections: [],
  };
  return { store, local };
}

function contextAnswering(store: SyncContext['store'], page: unknown): SyncContext {
  return {
    store,
    mutex: createMutex(),
    ready: new Promise(() => {}),
    logger: silentLogger,
    now: () => 1000,
    assertOpen: () => {},
    changed: () => {},
    outboxChanged: () => {},
    post: async () => page,
    urlFor: (route) => `http://server${route}`,
    spaces: undefined,
    pullLimit: 1000,
    pushBatchSize: 100,
    rejected: () => {},
    counters: { pushed: 0, pulled: 0, rejected: 0, bytesSent: 0, bytesReceived: 0, reset: false },
    progress: () => {},
  };
}

describe('a pull page overtaken by a poke', () => {
  it('keeps the newer records and cursor, and still confirms the outbox', async () => {
    const { store, local } = await clientAt(7);
    const stalePage = {
      changes: [{ ...address, version: 5, value: { title: 'older' } }],
      cursor: 'c5',
      cursorVersion: 5,
      hasMore: false,
      lastMutationId: 2,
    };
    await pullChanges(contextAnswering(store, stalePage), local);
    expect(await store.getRecord(address)).toMatchObject({ value: { title: 'from the poke' } });
    expect(local.cursor).toBe('c7');
    expect(await store.getMeta('cursor')).toBe('c7');
    expect(local.outbox.size).toBe(0);
  });

  it('applies a page that stands past the client', async () => {
    const { store, local } = await clientAt(7);
    const newerPage = {
      changes: [{ ...address, version: 9, value: { title: 'newer' } }],
      cursor: 'c9',
      cursorVersion: 9,
      hasMore: false,
      lastMutationId: 2,
    };
    await pullChanges(contextAnswering(store, newerPage), local);
    expect(await store.getRecord(address)).toMatchObject({ value: { title: 'newer' } });
    expect(local.cursorVersion).toBe(9);
  });
});
