/**
 * Acceptance tests of a client's identity and end: one stable client id, the capabilities
 * it reports, and `close()`, after which every call fails with `FerryClosedError` (a
 * synchronous call throws, a call returning a promise rejects) but `getStatus()` (now
 * `stopped`), `capabilities()`, `stopLive()` and `close()` itself.
 */
import { FerryClosedError, type Row, type SyncStatus } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { type ClientTestContext, rejection, type Todo, thrown, until } from './client-fixtures.ts';

export function describeLifecycleTests(context: ClientTestContext): void {
  describe('identity and capabilities', () => {
    it('getClientId() gives one id, the one inspect() shows', async () => {
      const { client } = await context.open();
      const id = await client.getClientId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(await client.getClientId()).toBe(id);
      expect((await client.inspect()).clientId).toBe(id);
    });

    it('capabilities() lists the triggers and conditions; manual is always there', async () => {
      const { client } = await context.open();
      await client.getClientId();
      const capabilities = client.capabilities();
      expect(capabilities.triggers.manual).toBe(true);
      for (const value of [
        ...Object.values(capabilities.triggers),
        ...Object.values(capabilities.constraints),
      ]) {
        expect(typeof value).toBe('boolean');
      }
      expect(Object.keys(capabilities.constraints).sort()).toEqual([
        'battery',
        'network',
        'unmetered',
      ]);
    });
  });

  describe('close()', () => {
    it('after close() every call fails with FerryClosedError, but getStatus, capabilities, stopLive and close', async () => {
      const { client, todos } = await context.open();
      await todos.put('a', { title: 'A' });
      const calls: Row<Todo>[][] = [];
      todos.subscribe((rows) => calls.push(rows));
      await until(() => calls.length === 1, 'the first delivery');
      const statuses: SyncStatus[] = [];
      client.subscribeStatus((status) => statuses.push(status));

      await client.close();
      expect(client.getStatus().phase).toBe('stopped');
      expect(statuses.at(-1)?.phase).toBe('stopped');
      expect(client.capabilities().triggers.manual).toBe(true);
      await client.stopLive();
      await client.close();

      const listener = () => {};
      const synchronous: [string, () => unknown][] = [
        ['collection', () => client.collection('todos')],
        ['subscribe', () => todos.subscribe(listener)],
        ['subscribe(query)', () => todos.subscribe({ index: 'byList' }, listener)],
        ['subscribeStatus', () => client.subscribeStatus(listener)],
        ['on', () => client.on('change', listener)],
        ['startLive', () => client.startLive()],
      ];
      for (const [what, call] of synchronous) {
        expect(thrown(call, what), what).toBeInstanceOf(FerryClosedError);
      }
      const asynchronous: [string, () => Promise<unknown>][] = [
        ['get', () => todos.get('a')],
        ['query', () => todos.query()],
        ['find', () => todos.find({ index: 'byList' })],
        ['count', () => todos.count()],
        ['getMany', () => todos.getMany(['a'])],
        ['put', () => todos.put('b', { title: 'B' })],
        ['patch', () => todos.patch('a', { done: true })],
        ['delete', () => todos.delete('a')],
        ['bulkPut', () => todos.bulkPut({ b: { title: 'B' } })],
        ['bulkDelete', () => todos.bulkDelete(['a'])],
        ['sync', () => client.sync()],
        ['history', () => client.history()],
        ['inspect', () => client.inspect()],
        ['getClientId', () => client.getClientId()],
      ];
      for (const [what, call] of asynchronous) {
        expect(await rejection(call, what), what).toBeInstanceOf(FerryClosedError);
      }
      expect(calls).toHaveLength(1);
    });
  });
}
