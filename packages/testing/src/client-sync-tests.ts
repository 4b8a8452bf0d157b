/**
 * Acceptance tests of sync as an app sees it: the status counts a local write as pending by
 * the time the write resolves; `sync()` pushes and pulls and says what it did; another
 * device of the user gets the writes; a write the server refuses is rolled back and
 * reported; runs are announced and kept in `history()`, with the trigger `sync()` named;
 * `inspect()` shows the engine; a server that does not answer fails `sync()` with
 * `FerryNetworkError`; the live stream brings another device's writes without `sync()`.
 */
import {
  type ChangeEvent,
  FerryConfigError,
  FerryNetworkError,
  FerryValidationError,
  type RejectionEvent,
  type Row,
  type RunRecord,
  type SyncProgress,
  type SyncStatus,
} from '@ferry/client';
import { describe, expect, it } from 'vitest';
import {
  type ClientTestContext,
  keysOf,
  rejection,
  settle,
  type Todo,
  until,
} from './client-fixtures.ts';

/** A URL nothing answers at: connecting is refused at once. */
const UNREACHABLE_URL = 'http://127.0.0.1:1';

export function describeSyncTests(context: ClientTestContext): void {
  describe('status and events', () => {
    it('a local write is pending in the status, and announced as a change, by the time it resolves', async () => {
      const { client, space, todos } = await context.open();
      const statuses: SyncStatus[] = [];
      const changes: ChangeEvent[] = [];
      client.subscribeStatus((status) => statuses.push(status));
      client.on('change', (event) => changes.push(event));
      await client.getClientId();
      const before = client.getStatus();
      expect(before).toMatchObject({
        pendingCount: 0,
        lastSuccessAt: null,
        lastError: null,
        live: 'off',
      });
      expect(before.phase).toBe('loading');
      expect(Object.isFrozen(before)).toBe(true);

      await todos.put('a', { title: 'A' });
      expect(client.getStatus().pendingCount).toBe(1);
      expect(statuses.at(-1)?.pendingCount).toBe(1);
      expect(changes).toEqual([
        expect.objectContaining({ cause: 'write', collections: [{ space, collection: 'todos' }] }),
      ]);
      await todos.bulkPut({ b: { title: 'B' }, c: { title: 'C' } });
      expect(client.getStatus().pendingCount).toBe(3);
      expect(changes).toHaveLength(2);
    });

    it('after sync() nothing is pending, the data is current and no error is left', async () => {
      const { client, todos } = await context.open();
      await todos.put('a', { title: 'A' });
      const started = Date.now();
      await client.sync();
      const status = client.getStatus();
      expect(status).toMatchObject({
        phase: 'up-to-date',
        state: 'idle',
        pendingCount: 0,
        lastError: null,
        attempt: 0,
      });
      expect(status.lastSuccessAt).toBeGreaterThanOrEqual(started - 1_000);
    });

    it('an unsubscribed listener hears nothing more', async () => {
      const { client, todos } = await context.open();
      const statuses: SyncStatus[] = [];
      const changes: ChangeEvent[] = [];
      const stopStatus = client.subscribeStatus((status) => statuses.push(status));
      const stopChanges = client.on('change', (event) => changes.push(event));
      await todos.put('a', { title: 'A' });
      expect([statuses.length > 0, changes.length]).toEqual([true, 1]);
      stopStatus();
      stopChanges();
      const heard = statuses.length;
      await todos.put('b', { title: 'B' });
      await settle(client);
      expect([statuses.length, changes.length]).toEqual([heard, 1]);
    });
  });

  describe('sync()', () => {
    it('pushes the local writes and pulls, and says what it did', async () => {
      const { client, todos } = await context.open();
      await todos.put('a', { title: 'A' });
      await todos.put('b', { title: 'B' });
      await todos.patch('a', { done: true });
      const result = await client.sync();
      expect(Object.keys(result).sort()).toEqual(['pulled', 'pushed', 'rejected', 'reset']);
      expect(result).toMatchObject({ pushed: 3, rejected: 0, reset: false });
      expect(typeof result.pulled).toBe('number');
      const rows = await todos.query();
      expect(rows.map(({ key, value, pending }) => ({ key, value, pending }))).toEqual([
        { key: 'a', value: { title: 'A', done: true }, pending: false },
        { key: 'b', value: { title: 'B' }, pending: false },
      ]);
      for (const row of rows) expect(row.version).toEqual(expect.any(Number));
      expect(await client.sync()).toEqual({ pushed: 0, pulled: 0, rejected: 0, reset: false });
    });

    it('another device of the user gets the writes when it syncs, and its live query follows', async () => {
      const first = await context.open();
      const second = await context.open({ user: first.user, spaces: first.spaces });
      await first.todos.bulkPut({ a: { title: 'A' }, b: { title: 'B' } });
      await first.client.sync();
      const calls: Row<Todo>[][] = [];
      second.todos.subscribe((rows) => calls.push(rows));
      await until(() => calls.length === 1, 'the first delivery');
      expect(calls[0]).toEqual([]);
      const result = await second.client.sync();
      expect(result).toMatchObject({ pushed: 0, pulled: 2, rejected: 0, reset: false });
      await until(() => keysOf(calls.at(-1)).join() === 'a,b', 'the pulled rows');
      expect(calls.at(-1)?.map((row) => row.pending)).toEqual([false, false]);
      expect(await second.todos.get('b')).toEqual({ title: 'B' });

      await second.todos.delete('a');
      await second.client.sync();
      await first.client.sync();
      expect(keysOf(await first.todos.query())).toEqual(['b']);
    });

    it('a write the server refuses is rolled back and reported', async () => {
      const { client, space, todos } = await context.open();
      const rejected: RejectionEvent[] = [];
      client.on('rejected', (event) => rejected.push(event));
      await todos.put('kept', { title: 'kept' });
      // Version 7 of a record that does not exist: a conflict.
      await todos.put('refused', { title: 'refused' }, { ifVersion: 7 });
      expect(await todos.get('refused')).toEqual({ title: 'refused' });
      const result = await client.sync();
      expect(result).toMatchObject({ pushed: 1, rejected: 1 });
      await until(() => rejected.length === 1, 'the rejected event');
      expect(rejected[0]).toMatchObject({
        code: 'conflict',
        message: expect.any(String),
        mutation: { space, collection: 'todos', key: 'refused', op: 'put' },
      });
      expect(await todos.get('refused')).toBeUndefined();
      expect(keysOf(await todos.query())).toEqual(['kept']);
      expect(client.getStatus().pendingCount).toBe(0);
      const snapshot = await client.inspect();
      expect(snapshot.rejections.entries).toEqual([
        expect.objectContaining({ space, collection: 'todos', key: 'refused', code: 'conflict' }),
      ]);
    });

    it('each run is announced as it ends and kept in history(), with its progress', async () => {
      const { client, todos } = await context.open();
      expect(await client.history()).toEqual([]);
      const runs: RunRecord[] = [];
      const progress: SyncProgress[] = [];
      client.on('run', (record) => runs.push(record));
      client.on('progress', (event) => progress.push(event));
      await todos.put('a', { title: 'A' });
      await client.sync();
      await until(() => runs.length === 1, 'the run event');
      const history = await client.history();
      expect(history).toEqual(runs);
      expect(history[0]).toMatchObject({
        triggers: ['manual'],
        outcome: 'success',
        pushed: 1,
        rejected: 0,
        error: null,
        endedAt: expect.any(Number),
      });
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)).toMatchObject({ runId: history[0]?.id, pushed: 1 });
    });

    it('sync({ trigger }) records why the run was asked for, and refuses any other trigger', async () => {
      const { client } = await context.open();
      await client.sync({ trigger: 'push' });
      await client.sync({ trigger: 'background' });
      const refused = await rejection(() => client.sync({ trigger: 'poke' } as never));
      expect(refused).toBeInstanceOf(FerryConfigError);
      expect(String(refused)).toContain('is not one of background, push, manual');
      const history = await client.history();
      expect(history.map((run) => [run.triggers, run.outcome])).toEqual([
        [['push'], 'success'],
        [['background'], 'success'],
      ]);
    });

    it('sync() with the server out of reach rejects with FerryNetworkError and keeps the writes', async () => {
      const { client, todos } = await context.open({ url: UNREACHABLE_URL });
      await todos.put('a', { title: 'A' });
      const error = await rejection(() => client.sync());
      expect(error).toBeInstanceOf(FerryNetworkError);
      expect(error).toMatchObject({
        code: 'unreachable',
        userMessage: "Can't reach the server — changes are kept and will be sent",
      });
      expect(client.getStatus()).toMatchObject({
        pendingCount: 1,
        lastError: { code: 'unreachable' },
      });
      expect(await todos.get('a')).toEqual({ title: 'A' });
      const [run] = await client.history();
      expect(run).toMatchObject({ outcome: 'failed', error: { code: 'unreachable' } });
    });

    it("the live stream brings another device's write without sync(), and stopLive() ends it", async () => {
      const first = await context.open({ schedule: { triggers: ['poke'] } });
      const second = await context.open({ user: first.user, spaces: first.spaces });
      const calls: Row<Todo>[][] = [];
      first.todos.subscribe((rows) => calls.push(rows));
      first.client.startLive();
      await until(() => first.client.getStatus().live === 'open', 'the stream to open');
      await second.todos.put('a', { title: 'from the other device' });
      await second.client.sync();
      await until(() => keysOf(calls.at(-1)).join() === 'a', 'the write to arrive');
      expect(calls.at(-1)?.[0]).toMatchObject({
        value: { title: 'from the other device' },
        pending: false,
      });
      await first.client.stopLive();
      await until(() => first.client.getStatus().live === 'off', 'the stream to close');
    });
  });

  describe('inspect()', () => {
    it('shows the pending writes, the collections and the client, as plain JSON', async () => {
      const { client, space, todos } = await context.open();
      await todos.put('a', { title: 'A' });
      await todos.delete('b');
      await todos.patch('a', { done: true });
      const snapshot = await client.inspect();
      expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
      expect(snapshot).toMatchObject({
        source: 'client',
        clientId: await client.getClientId(),
        status: { pendingCount: 3 },
        pending: { total: 3 },
        store: { outboxLength: 3 },
      });
      expect(
        snapshot.pending.entries.map(({ space, collection, key, op, pushed }) => [
          space,
          collection,
          key,
          op,
          pushed,
        ]),
      ).toEqual([
        [space, 'todos', 'a', 'put', false],
        [space, 'todos', 'b', 'delete', false],
        [space, 'todos', 'a', 'patch', false],
      ]);
      expect(snapshot.store.collections).toContainEqual({ space, collection: 'todos', records: 0 });
      await client.sync();
      const after = await client.inspect({ maxRuns: 1 });
      expect(after.pending.total).toBe(0);
      expect(after.runs.entries).toHaveLength(1);
      expect(after.store.collections).toContainEqual({ space, collection: 'todos', records: 1 });
      expect((await client.inspect({ maxPending: 1 })).pending.entries).toHaveLength(0);
    });

    it('keeps to its bounds and refuses a bad one with FerryValidationError', async () => {
      const { client, todos } = await context.open();
      await todos.bulkPut({ a: { title: 'A' }, b: { title: 'B' }, c: { title: 'C' } });
      const snapshot = await client.inspect({ maxPending: 2, countRecords: false });
      expect(snapshot.pending.total).toBe(3);
      expect(snapshot.pending.entries.map((entry) => entry.key)).toEqual(['a', 'b']);
      expect(snapshot.store.collections).toBeNull();
      for (const options of [{ maxPending: -1 }, { maxRuns: 1.5 }]) {
        expect(await rejection(() => client.inspect(options))).toBeInstanceOf(FerryValidationError);
      }
    });
  });
}
