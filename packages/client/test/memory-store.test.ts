import { runStoreAcceptanceTests } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import { FerryClosedError, FerryValidationError } from '../src/errors.ts';
import { createMemoryStore, createMemoryStoreData, openMemoryStore } from '../src/memory-store.ts';

runStoreAcceptanceTests('memory store', async () => ({ store: createMemoryStore() }));

// The same data opened through a second handle stands in for a durable store reopened
// after a restart, so the suite's persistence checks run against the memory store too.
runStoreAcceptanceTests('memory store, reopened over the same data', async () => {
  const data = createMemoryStoreData();
  return { store: openMemoryStore(data), reopen: async () => openMemoryStore(data) };
});

describe('memory store specifics', () => {
  it('says which part of a refused batch is wrong', async () => {
    const store = createMemoryStore();
    const bad = { putRecords: [{ space: 's', collection: 'c', key: 'k', value: [], version: 1 }] };
    await expect(store.commit(bad as never)).rejects.toThrow(FerryValidationError);
    await expect(store.commit(bad as never)).rejects.toThrow(/putRecords\[0\]\.value/);
  });

  it('refuses an outbox id that is already taken, and a meta value that is not JSON', async () => {
    const store = createMemoryStore();
    const entry = { id: 1, space: 's', collection: 'c', key: 'k', op: 'delete' } as const;
    await store.commit({ addOutbox: [entry as never] });
    await expect(store.commit({ addOutbox: [entry as never] })).rejects.toThrow(/already taken/);
    await expect(store.commit({ setMeta: { when: new Date() as never } })).rejects.toThrow(
      /setMeta\.when/,
    );
    expect(await store.listOutbox()).toHaveLength(1);
  });

  it('keeps its own copy of every value, so no caller reaches the stored state', async () => {
    const store = createMemoryStore();
    const value = { tags: ['a'], nested: { n: 1 }, list: [{ x: 1 }] };
    const address = { space: 's', collection: 'c', key: 'k' };
    await store.commit({ putRecords: [{ ...address, version: 1, value }] });
    value.tags.push('written after the commit');
    value.nested.n = 2;
    value.list[0]!.x = 2;
    const read = await store.getRecord(address);
    expect(read?.value).toEqual({ tags: ['a'], nested: { n: 1 }, list: [{ x: 1 }] });
    (read!.value.nested as { n: number }).n = 3;
    const [listed] = await store.listRecords('s', 'c');
    (listed!.value.tags as string[]).push('changed by a reader');
    expect((await store.getRecord(address))?.value).toEqual({
      tags: ['a'],
      nested: { n: 1 },
      list: [{ x: 1 }],
    });
  });

  it('keeps its own copy of metadata, a key named __proto__ included', async () => {
    const store = createMemoryStore();
    const value = { runs: [{ id: 1 }], state: { attempt: 0 } };
    const setMeta = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, never>;
    await store.commit({ setMeta: { ...setMeta, schedule: value } });
    value.runs.push({ id: 2 });
    value.state.attempt = 5;
    const read = (await store.getMeta('schedule')) as typeof value;
    expect(read).toEqual({ runs: [{ id: 1 }], state: { attempt: 0 } });
    read.runs[0]!.id = 9;
    expect(await store.getMeta('schedule')).toEqual({ runs: [{ id: 1 }], state: { attempt: 0 } });
    expect(await store.getMeta('__proto__')).toEqual({ polluted: true });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('rejects with FerryClosedError after close()', async () => {
    const store = createMemoryStore();
    await store.close();
    await expect(store.listOutbox()).rejects.toThrow(FerryClosedError);
  });
});
