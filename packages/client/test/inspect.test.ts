import { describe, expect, it } from 'vitest';
import { FerryValidationError, type InspectorSnapshot, inspectStore } from '../src/index.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { setup } from './support/harness.ts';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('client.inspect()', () => {
  it('lists the pending writes, oldest first, with their op and how long they have waited', async () => {
    const clock = manualClock();
    const { client } = setup({ now: clock.now });
    const todos = client.collection('todos');
    await todos.put('a', { title: 'a' });
    clock.advance(5_000);
    await todos.patch('a', { done: true });
    await client.collection('notes').delete('n1');
    clock.advance(1_000);

    const snapshot = await client.inspect();
    expect(snapshot.source).toBe('client');
    expect(snapshot.pending.total).toBe(3);
    expect(snapshot.pending.entries).toEqual([
      {
        id: 1,
        space: 'alice',
        collection: 'todos',
        key: 'a',
        op: 'put',
        pushed: false,
        ageMs: 6_000,
      },
      {
        id: 2,
        space: 'alice',
        collection: 'todos',
        key: 'a',
        op: 'patch',
        pushed: false,
        ageMs: 1_000,
      },
      {
        id: 3,
        space: 'alice',
        collection: 'notes',
        key: 'n1',
        op: 'delete',
        pushed: false,
        ageMs: 1_000,
      },
    ]);
    expect(snapshot.store.outboxLength).toBe(3);
    expect(snapshot.status?.pendingCount).toBe(3);
    expect(snapshot.cursor).toEqual({
      held: false,
      version: null,
      lastSuccessAt: null,
      ageMs: null,
    });
    await client.close();
  });

  it('bounds every list and keeps the totals', async () => {
    const { client } = setup();
    const todos = client.collection('todos');
    for (let i = 0; i < 5; i++) await todos.put(`k${i}`, { title: String(i) });
    await client.sync();
    await client.sync();
    await todos.put('later', { title: 'later' });
    await todos.put('later2', { title: 'later' });

    const snapshot = await client.inspect({ maxPending: 1, maxRuns: 1 });
    expect(snapshot.pending.total).toBe(2);
    expect(snapshot.pending.entries.map((e) => e.key)).toEqual(['later']);
    expect(snapshot.runs.total).toBe(2);
    expect(snapshot.runs.entries.map((r) => r.id)).toEqual([2]);
    const none = await client.inspect({ maxPending: 0, maxRuns: 0, maxRejections: 0 });
    expect(none.pending.entries).toEqual([]);
    expect(none.runs.entries).toEqual([]);
    await client.close();
  });

  it('shows the recent runs newest first, the cursor age and the records per collection', async () => {
    const clock = manualClock();
    const { client, server } = setup({ now: clock.now });
    server.records.set('x', {
      space: 'alice',
      collection: 'notes',
      key: 'n1',
      value: { text: 'from the server' },
      version: 1,
    });
    server.version = 1;
    await client.collection('todos').put('a', { title: 'a' });
    await client.sync();
    clock.advance(30_000);

    const snapshot = await client.inspect();
    expect(snapshot.pending.total).toBe(0);
    const [run] = snapshot.runs.entries;
    expect(run).toMatchObject({ outcome: 'success', triggers: ['manual'], pushed: 1 });
    expect(snapshot.cursor.held).toBe(true);
    expect(snapshot.cursor.lastSuccessAt).toBe(1_000_000);
    expect(snapshot.cursor.ageMs).toBe(30_000);
    expect(snapshot.store.collections).toEqual([
      { space: 'alice', collection: 'todos', records: 1 },
    ]);
    client.collection('notes');
    const counted = await client.inspect();
    expect(counted.store.collections).toEqual([
      { space: 'alice', collection: 'notes', records: 1 },
      { space: 'alice', collection: 'todos', records: 1 },
    ]);
    expect((await client.inspect({ countRecords: false })).store.collections).toBeNull();
    await client.close();
  });

  it('keeps the rejections the server made, newest first', async () => {
    const clock = manualClock();
    const { client, server } = setup({ now: clock.now });
    server.rejectWhen = (m) =>
      m.key === 'bad' ? { code: 'forbidden', message: 'not yours' } : undefined;
    await client.collection('todos').put('bad', { title: 'x' });
    await client.collection('todos').put('good', { title: 'y' });
    await client.sync();

    const snapshot = await client.inspect();
    expect(snapshot.rejections.total).toBe(1);
    expect(snapshot.rejections.entries).toEqual([
      {
        id: 1,
        space: 'alice',
        collection: 'todos',
        key: 'bad',
        op: 'put',
        code: 'forbidden',
        message: 'not yours',
        at: 1_000_000,
      },
    ]);
    expect(snapshot.runs.entries[0]?.rejected).toBe(1);
    await client.close();
  });

  it('survives JSON unchanged, so it crosses a channel and a CLI can print it', async () => {
    const { client } = setup();
    await client.collection('todos').put('a', { title: 'a' });
    await client.sync();
    await client.collection('todos').put('b', { title: 'b' });
    const snapshot: InspectorSnapshot = await client.inspect();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(structuredClone(snapshot)).toEqual(snapshot);
    await client.close();
  });

  it('does not time writes that were already in the store when the client opened', async () => {
    const clock = manualClock();
    const { client, restart } = setup({ now: clock.now });
    await client.collection('todos').put('old', { title: 'old' });
    await client.close();
    const reopened = restart();
    await reopened.collection('todos').put('new', { title: 'new' });
    clock.advance(2_000);
    const snapshot = await reopened.inspect();
    expect(snapshot.pending.entries.map((e) => [e.key, e.ageMs])).toEqual([
      ['old', null],
      ['new', 2_000],
    ]);
    await reopened.close();
  });

  it('times every entry of a bulk write alike and keeps pending times once earlier writes are confirmed', async () => {
    const clock = manualClock();
    const { client } = setup({ now: clock.now });
    const todos = client.collection('todos');
    await todos.put('a', { title: 'a' });
    await client.sync();
    clock.advance(4_000);
    await todos.bulkPut([
      ['b', { title: 'b' }],
      ['c', { title: 'c' }],
    ]);
    clock.advance(1_000);
    await todos.put('d', { title: 'd' });
    clock.advance(500);
    const snapshot = await client.inspect();
    expect(snapshot.pending.entries.map((e) => [e.key, e.ageMs])).toEqual([
      ['b', 1_500],
      ['c', 1_500],
      ['d', 500],
    ]);
    await client.close();
  });

  it('rejects bounds that are not whole numbers ≥ 0', async () => {
    const { client } = setup();
    await expect(client.inspect({ maxPending: -1 })).rejects.toThrow(FerryValidationError);
    await expect(client.inspect({ maxRuns: 1.5 })).rejects.toThrow(
      /maxRuns must be a whole number/,
    );
    await client.close();
  });
});

describe('inspectStore()', () => {
  it('reads what a client left in the store: pending writes, runs, cursor, unreported rejections', async () => {
    const clock = manualClock();
    const { client, store } = setup({ now: clock.now });
    await client.collection('todos').put('a', { title: 'a' });
    await client.sync();
    await client.collection('todos').put('b', { title: 'b' });
    const clientId = await client.getClientId();
    await client.close();
    clock.advance(60_000);

    const snapshot = await inspectStore(store, { now: clock.now });
    expect(snapshot.source).toBe('store');
    expect(snapshot.status).toBeNull();
    expect(snapshot.clientId).toBe(clientId);
    expect(snapshot.pending.entries).toEqual([
      {
        id: 2,
        space: 'alice',
        collection: 'todos',
        key: 'b',
        op: 'put',
        pushed: false,
        ageMs: null,
      },
    ]);
    expect(snapshot.runs.entries).toHaveLength(1);
    expect(snapshot.runs.entries[0]).toMatchObject({ outcome: 'success', pushed: 1 });
    expect(snapshot.cursor).toEqual({
      held: true,
      version: null,
      lastSuccessAt: 1_000_000,
      ageMs: 60_000,
    });
    // Without a way to count, the collections with pending writes are read.
    expect(snapshot.store.collections).toEqual([
      { space: 'alice', collection: 'todos', records: 1 },
    ]);
  });

  it('shows a run the writer recorded as under way as running, not interrupted', async () => {
    const store = createMemoryStore();
    const run = {
      id: 4,
      triggers: ['interval'],
      startedAt: 10,
      endedAt: null,
      outcome: 'running',
      abortReason: null,
      pushed: 0,
      pulled: 0,
      rejected: 0,
      bytesSent: 0,
      bytesReceived: 0,
      reset: false,
      error: null,
    };
    await store.commit({
      setMeta: {
        'schedule.state': { attempt: 0, nextRunId: 5 },
        'schedule.runs': [],
        'schedule.current': run,
      },
    });
    const snapshot = await inspectStore(store, { now: () => 20 });
    expect(snapshot.runs.entries.map((r) => r.outcome)).toEqual(['running']);
    expect(snapshot.store.collections).toEqual([]);
  });

  it('uses the counts a store can give', async () => {
    const store = createMemoryStore();
    const snapshot = await inspectStore(store, {
      collectionSizes: async () => [
        { space: 'b', collection: 'x', records: 2 },
        { space: 'a', collection: 'y', records: 7 },
      ],
    });
    expect(snapshot.store.collections).toEqual([
      { space: 'a', collection: 'y', records: 7 },
      { space: 'b', collection: 'x', records: 2 },
    ]);
  });
});
