/**
 * Acceptance tests of collection handles: `collection()` refuses a bad name or space at
 * once (a programming error throws, it does not reject later); local writes are visible at
 * once and pending; a bad key, value or option rejects with `FerryValidationError` and
 * writes nothing; bulk writes are all or nothing.
 */
import { FerryConfigError, FerryValidationError, type Row } from '@ferry/client';
import { MAX_KEY_LENGTH } from '@ferry/protocol';
import { describe, expect, it } from 'vitest';
import {
  type ClientTestContext,
  keysOf,
  rejection,
  settle,
  type Todo,
  thrown,
  todosOf,
  until,
} from './client-fixtures.ts';

class Point {
  x = 1;
}

export function describeCollectionTests(context: ClientTestContext): void {
  describe('collection()', () => {
    it('opens any collection with a valid name, in the default space or the one given', async () => {
      const second = context.fresh('space');
      const { client, space } = await context.open({ spaces: [context.fresh('space'), second] });
      const todos = client.collection('todos');
      expect(todos.name).toBe('todos');
      expect(todos.space).toBe(space);
      // A name no one declared is a collection like any other, empty until written.
      const other = client.collection('notes.v2:x-y_Z', { space: second });
      expect(other.name).toBe('notes.v2:x-y_Z');
      expect(other.space).toBe(second);
      expect(await other.get('k')).toBeUndefined();
      expect(await other.query()).toEqual([]);
      expect(await other.find()).toEqual([]);
      expect(await other.count()).toBe(0);
      expect(await other.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    });

    it('throws FerryValidationError at once for an invalid collection name or space', async () => {
      const { client } = await context.open();
      for (const name of ['', 'has space', 'a/b', 'é', 'x'.repeat(129), 7 as unknown as string]) {
        expect(
          thrown(() => client.collection(name)),
          `collection(${JSON.stringify(name)})`,
        ).toBeInstanceOf(FerryValidationError);
      }
      for (const space of ['', 'a b', 'x'.repeat(129)]) {
        expect(
          thrown(() => client.collection('todos', { space })),
          `space ${JSON.stringify(space)}`,
        ).toBeInstanceOf(FerryValidationError);
      }
    });

    it('throws FerryConfigError at once without a space, or for a space it does not pull', async () => {
      const { client } = await context.open({ defaultSpace: false });
      expect(thrown(() => client.collection('todos'))).toBeInstanceOf(FerryConfigError);
      expect(thrown(() => client.collection('todos', { space: 'not-pulled' }))).toBeInstanceOf(
        FerryConfigError,
      );
    });
  });

  describe('local reads and writes', () => {
    it('put, patch and delete are visible at once, as pending rows with no server version', async () => {
      const { todos } = await context.open();
      await todos.put('a', { title: 'milk', list: 'l', at: 1 });
      expect(await todos.get('a')).toEqual({ title: 'milk', list: 'l', at: 1 });
      // null removes a field; patching a missing record creates it.
      await todos.patch('a', { title: 'oat milk', at: null });
      await todos.patch('b', { title: 'bread' });
      expect(await todos.query()).toEqual([
        { key: 'a', value: { title: 'oat milk', list: 'l' }, version: null, pending: true },
        { key: 'b', value: { title: 'bread' }, version: null, pending: true },
      ]);
      await todos.delete('a');
      expect(await todos.get('a')).toBeUndefined();
      expect(keysOf(await todos.query())).toEqual(['b']);
      expect(await todos.getMany(['b', 'a'])).toEqual([{ title: 'bread' }, undefined]);
    });

    it('query() filters with where, in key order', async () => {
      const { todos } = await context.open();
      for (const key of ['c', 'a', 'd', 'b']) {
        await todos.put(key, { title: key, done: key === 'a' || key === 'd' });
      }
      expect(keysOf(await todos.query())).toEqual(['a', 'b', 'c', 'd']);
      const seen: string[] = [];
      const rows = await todos.query({
        where: (value, key) => {
          seen.push(key);
          return value.done === true;
        },
      });
      expect(keysOf(rows)).toEqual(['a', 'd']);
      expect(seen.sort()).toEqual(['a', 'b', 'c', 'd']);
    });

    it("a value read or written stays the caller's: changing it changes nothing stored", async () => {
      const { todos } = await context.open();
      const value = { title: 'milk', list: 'l' };
      await todos.put('a', value);
      value.title = 'changed after put';
      const read = (await todos.get('a')) as Todo;
      read.title = 'changed after get';
      const [row] = (await todos.query()) as Row<Todo>[];
      (row as Row<Todo>).value.title = 'changed after query';
      const [found] = (await todos.find()) as Row<Todo>[];
      (found as Row<Todo>).value.title = 'changed after find';
      expect(await todos.get('a')).toEqual({ title: 'milk', list: 'l' });
    });

    it('a space is separate from another', async () => {
      const [first, second] = [context.fresh('space'), context.fresh('space')];
      const { client } = await context.open({ spaces: [first, second] });
      await todosOf(client, first).put('k', { title: 'in the first' });
      expect(await todosOf(client, second).get('k')).toBeUndefined();
      expect(await todosOf(client, second).count()).toBe(0);
    });

    it('a bad key, value or ifVersion rejects with FerryValidationError and writes nothing', async () => {
      const { client, todos } = await context.open();
      const cyclic: Record<string, unknown> = { title: 'loop' };
      cyclic.self = cyclic;
      const bad = (value: unknown) => value as Todo;
      const cases: [string, () => Promise<unknown>][] = [
        ['an empty key', () => todos.put('', { title: 'x' })],
        ['a key too long', () => todos.put('k'.repeat(MAX_KEY_LENGTH + 1), { title: 'x' })],
        ['a key that is not a string', () => todos.put(1 as unknown as string, { title: 'x' })],
        ['an undefined field', () => todos.put('k', bad({ title: undefined }))],
        ['NaN', () => todos.put('k', { title: 'x', at: Number.NaN })],
        ['Infinity', () => todos.put('k', { title: 'x', at: Number.POSITIVE_INFINITY })],
        ['an integer beyond 2^53', () => todos.put('k', { title: 'x', at: 2 ** 53 + 2 })],
        ['a BigInt', () => todos.put('k', bad({ title: 'x', at: 10n }))],
        ['a class instance', () => todos.put('k', bad({ title: 'x', point: new Point() }))],
        ['a class instance as the value', () => todos.put('k', bad(new Point()))],
        ['a Date', () => todos.put('k', bad({ title: 'x', due: new Date(0) }))],
        ['a Map', () => todos.put('k', bad({ title: 'x', tags: new Map() }))],
        ['a function', () => todos.put('k', bad({ title: 'x', f: () => 1 }))],
        ['a symbol', () => todos.put('k', bad({ title: 'x', s: Symbol('s') }))],
        ['a cycle', () => todos.put('k', bad(cyclic))],
        ['a string as the value', () => todos.put('k', bad('milk'))],
        ['an array as the value', () => todos.put('k', bad(['milk']))],
        ['null as the value', () => todos.put('k', bad(null))],
        ['a negative ifVersion', () => todos.put('k', { title: 'x' }, { ifVersion: -1 })],
        ['a fractional ifVersion', () => todos.delete('k', { ifVersion: 1.5 })],
        ['a patch with an undefined field', () => todos.patch('k', { title: undefined })],
        ['a delete with an empty key', () => todos.delete('')],
      ];
      for (const [what, call] of cases) {
        expect(await rejection(call, what), what).toBeInstanceOf(FerryValidationError);
      }
      expect(await todos.query()).toEqual([]);
      expect(client.getStatus().pendingCount).toBe(0);
      expect((await client.inspect()).pending.total).toBe(0);
    });
  });

  describe('bulk writes', () => {
    it('bulkPut takes pairs, any iterable of them or a record; bulkDelete takes keys', async () => {
      const { client, todos } = await context.open();
      await todos.bulkPut([
        ['a', { title: 'A' }],
        ['b', { title: 'B' }],
      ]);
      await todos.bulkPut({ c: { title: 'C' }, d: { title: 'D' } });
      await todos.bulkPut(new Map([['e', { title: 'E' }]]));
      await todos.bulkDelete(['a', 'd']);
      await todos.bulkDelete(new Set(['e']));
      expect(await todos.query()).toEqual([
        { key: 'b', value: { title: 'B' }, version: null, pending: true },
        { key: 'c', value: { title: 'C' }, version: null, pending: true },
      ]);
      // Each entry is a mutation of its own.
      expect(client.getStatus().pendingCount).toBe(8);
      await todos.bulkPut([]);
      await todos.bulkDelete([]);
      expect(client.getStatus().pendingCount).toBe(8);
    });

    it('a bad entry anywhere rejects the whole batch with FerryValidationError', async () => {
      const { client, todos } = await context.open();
      const cases: [string, () => Promise<unknown>][] = [
        [
          'a NaN',
          () =>
            todos.bulkPut([
              ['ok', { title: 'ok' }],
              ['bad', { title: 'x', at: Number.NaN }],
            ]),
        ],
        [
          'a function',
          () =>
            todos.bulkPut({
              ok: { title: 'ok' },
              bad: { title: 'x', f: () => 1 } as unknown as Todo,
            }),
        ],
        [
          'an empty key',
          () =>
            todos.bulkPut([
              ['ok', { title: 'ok' }],
              ['', { title: 'x' }],
            ]),
        ],
        ['an empty key to delete', () => todos.bulkDelete(['ok', ''])],
      ];
      for (const [what, call] of cases) {
        expect(await rejection(call, what), what).toBeInstanceOf(FerryValidationError);
      }
      expect(await todos.query()).toEqual([]);
      expect(client.getStatus().pendingCount).toBe(0);
    });

    it('a subscriber hears of a bulk write once', async () => {
      const { client, todos } = await context.open();
      const calls: Row<Todo>[][] = [];
      const stop = todos.subscribe((rows) => calls.push(rows));
      await until(() => calls.length === 1, 'the first delivery');
      await todos.bulkPut(Array.from({ length: 30 }, (_, i) => [`k${i}`, { title: `t${i}` }]));
      await until(() => calls.at(-1)?.length === 30, 'the bulk write');
      await settle(client);
      expect(calls.length).toBe(2);
      await todos.bulkDelete(Array.from({ length: 30 }, (_, i) => `k${i}`));
      await until(() => calls.at(-1)?.length === 0, 'the bulk delete');
      await settle(client);
      expect(calls.length).toBe(3);
      stop();
    });
  });
}
