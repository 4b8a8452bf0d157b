/**
 * Acceptance tests of queries: `find` through a declared index (where, range, order, limit,
 * after, filter), `count`, `getMany`, pending writes merged into an ordered result, and
 * live queries (`subscribe`) that deliver their rows after returning and again after every
 * change, frozen and shared. A bad query rejects (`find`, `count`) or, from `subscribe`,
 * throws at once.
 */
import { FerryValidationError, type Query, type Row } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import {
  type ClientTestContext,
  keysOf,
  rejection,
  settle,
  type Todo,
  thrown,
  until,
} from './client-fixtures.ts';

/** Ten todos: by (list, at) the list 'a' orders t03, t04, t08, t01, t06. */
const SEED: Record<string, Todo> = {
  t01: { title: 'one', list: 'a', at: 3 },
  t02: { title: 'two', list: 'b', at: 1 },
  t03: { title: 'three', list: 'a', at: 1 },
  t04: { title: 'four', list: 'a', at: 2 },
  t05: { title: 'five', list: 'b', at: 5 },
  t06: { title: 'six', list: 'a', at: 5 },
  t07: { title: 'seven' },
  t08: { title: 'eight', list: 'a', at: 2 },
  t09: { title: 'nine', list: 'b', at: null },
  t10: { title: 'ten', list: 'c', at: 0 },
};

const odd = (todo: Todo) => typeof todo.at === 'number' && todo.at % 2 === 1;

/** Queries of the seed, with the keys each selects and how many `count` gives for it. */
const CASES: [string, Query<Todo>, string[], number][] = [
  ['no index: key order', {}, Object.keys(SEED), 10],
  ['no index, desc, limited', { order: 'desc', limit: 3 }, ['t10', 't09', 't08'], 10],
  ['no index, after a key', { after: { key: 't08', value: SEED.t08! } }, ['t09', 't10'], 10],
  [
    'the whole index: missing, null, numbers',
    { index: 'byList' },
    ['t07', 't03', 't04', 't08', 't01', 't06', 't09', 't02', 't05', 't10'],
    10,
  ],
  ['where', { index: 'byList', where: { list: 'a' } }, ['t03', 't04', 't08', 't01', 't06'], 5],
  [
    'where, desc, limited',
    { index: 'byList', where: { list: 'a' }, order: 'desc', limit: 2 },
    ['t06', 't01'],
    5,
  ],
  [
    'where and a range',
    { index: 'byList', where: { list: 'a' }, range: { gte: 2, lt: 5 } },
    ['t04', 't08', 't01'],
    3,
  ],
  [
    'an exclusive range',
    { index: 'byList', where: { list: 'a' }, range: { gt: 2 } },
    ['t01', 't06'],
    2,
  ],
  [
    'after a row, limited',
    { index: 'byList', where: { list: 'a' }, after: { key: 't04', value: SEED.t04! }, limit: 2 },
    ['t08', 't01'],
    5,
  ],
  [
    'after a row, desc',
    {
      index: 'byList',
      where: { list: 'a' },
      order: 'desc',
      after: { key: 't08', value: SEED.t08! },
    },
    ['t04', 't03'],
    5,
  ],
  [
    'a filter, limited',
    { index: 'byList', where: { list: 'a' }, filter: odd, limit: 2 },
    ['t03', 't01'],
    3,
  ],
  [
    'a filter after a row',
    { index: 'byList', where: { list: 'a' }, filter: odd, after: { key: 't03', value: SEED.t03! } },
    ['t01', 't06'],
    3,
  ],
  ['a missing field', { index: 'byList', where: { list: undefined } }, ['t07'], 1],
  ['null', { index: 'byList', where: { list: 'b', at: null } }, ['t09'], 1],
  ['no match', { index: 'byList', where: { list: 'nothing' } }, [], 0],
  ['limit 0', { index: 'byList', limit: 0 }, [], 10],
  ['a one-field index', { index: 'byTitle', limit: 3 }, ['t08', 't05', 't04'], 10],
];

export function describeQueryTests(context: ClientTestContext): void {
  describe('queries', () => {
    it('find and count answer through an index, pending writes included', async () => {
      const { todos } = await context.open();
      await todos.bulkPut(SEED);
      for (const [what, query, keys, count] of CASES) {
        const rows = await todos.find(query);
        expect(keysOf(rows), what).toEqual(keys);
        for (const row of rows) {
          expect(row, what).toEqual({
            key: row.key,
            value: SEED[row.key],
            version: null,
            pending: true,
          });
        }
        // count: the whole selection, whatever the query's limit, order and after.
        expect(await todos.count(query), `count: ${what}`).toBe(count);
      }
    });

    it('pending writes take their place in an ordered, limited result over synced rows', async () => {
      const { client, todos } = await context.open();
      await todos.bulkPut(SEED);
      await client.sync();
      const query: Query<Todo> = { index: 'byList', where: { list: 'a' }, limit: 3 };
      expect(keysOf(await todos.find(query))).toEqual(['t03', 't04', 't08']);
      await todos.put('t11', { title: 'eleven', list: 'a', at: 0 }); // enters first
      await todos.patch('t04', { list: 'b' }); // leaves
      await todos.delete('t03'); // leaves
      await todos.patch('t06', { at: 1.5 }); // moves up
      const rows = await todos.find(query);
      expect(keysOf(rows)).toEqual(['t11', 't06', 't08']);
      expect(rows.map((row) => row.pending)).toEqual([true, true, false]);
      expect(typeof rows[2]?.version).toBe('number');
      expect(rows[0]?.version).toBeNull();
      expect(await todos.count(query)).toBe(4);
      expect(keysOf(await todos.find({ ...query, order: 'desc' }))).toEqual(['t01', 't08', 't06']);
    });

    it('getMany gives the values of the keys asked, in their order', async () => {
      const { todos } = await context.open();
      await todos.bulkPut(SEED);
      await todos.delete('t02');
      expect(await todos.getMany(['t03', 'missing', 't01', 't02', 't03'])).toEqual([
        SEED.t03,
        undefined,
        SEED.t01,
        undefined,
        SEED.t03,
      ]);
      expect(await todos.getMany([])).toEqual([]);
    });

    it('a bad query rejects with FerryValidationError', async () => {
      const { todos } = await context.open();
      await todos.bulkPut(SEED);
      const bad: [string, Query<Todo>][] = [
        ['an index not declared', { index: 'nope' }],
        ['where without an index', { where: { list: 'a' } }],
        ['a range without an index', { range: { gt: 1 } }],
        ['where on a field that is not leading', { index: 'byList', where: { at: 1 } }],
        [
          'a range after where fixed every field',
          { index: 'byList', where: { list: 'a', at: 1 }, range: { gt: 0 } },
        ],
        ['a negative limit', { index: 'byList', limit: -1 }],
        ['a fractional limit', { limit: 1.5 }],
        ['an unknown order', { order: 'up' as 'asc' }],
      ];
      for (const [what, query] of bad) {
        expect(await rejection(() => todos.find(query), what), `find: ${what}`).toBeInstanceOf(
          FerryValidationError,
        );
      }
      for (const [what, query] of bad.slice(0, 5)) {
        expect(await rejection(() => todos.count(query), what), `count: ${what}`).toBeInstanceOf(
          FerryValidationError,
        );
      }
    });
  });

  describe('live queries', () => {
    it('subscribe delivers the rows after it returns, then after every change, until unsubscribed', async () => {
      const { client, todos } = await context.open();
      await todos.put('a', { title: 'A' });
      const calls: Row<Todo>[][] = [];
      const stop = todos.subscribe((rows) => calls.push(rows));
      expect(calls).toEqual([]);
      await until(() => calls.length === 1, 'the first delivery');
      expect(calls[0]).toEqual([{ key: 'a', value: { title: 'A' }, version: null, pending: true }]);
      await todos.put('b', { title: 'B' });
      await until(() => keysOf(calls.at(-1)).join() === 'a,b', 'a put');
      await todos.patch('a', { done: true });
      await until(() => calls.at(-1)?.[0]?.value.done === true, 'a patch');
      await todos.delete('b');
      await until(() => keysOf(calls.at(-1)).join() === 'a', 'a delete');
      stop();
      const heard = calls.length;
      await todos.put('c', { title: 'C' });
      await settle(client);
      expect(calls.length).toBe(heard);
    });

    it('subscribe with where keeps the rows it selects', async () => {
      const { todos } = await context.open();
      await todos.bulkPut({ a: { title: 'A', done: true }, b: { title: 'B' } });
      const calls: Row<Todo>[][] = [];
      const stop = todos.subscribe((rows) => calls.push(rows), {
        where: (todo) => todo.done === true,
      });
      await until(() => calls.length === 1, 'the first delivery');
      expect(keysOf(calls[0])).toEqual(['a']);
      await todos.patch('b', { done: true });
      await until(() => keysOf(calls.at(-1)).join() === 'a,b', 'a row entering');
      await todos.patch('a', { done: false });
      await until(() => keysOf(calls.at(-1)).join() === 'b', 'a row leaving');
      stop();
    });

    it("rows are frozen, a row that did not change is the same object, the array is the listener's", async () => {
      const { todos } = await context.open();
      await todos.bulkPut({ a: { title: 'A', list: 'x' }, b: { title: 'B', list: 'x' } });
      for (const subscribe of [
        (listener: (rows: Row<Todo>[]) => void) => todos.subscribe(listener),
        (listener: (rows: Row<Todo>[]) => void) =>
          todos.subscribe({ index: 'byList', where: { list: 'x' } }, listener),
      ]) {
        const calls: Row<Todo>[][] = [];
        const stop = subscribe((rows) => {
          calls.push(rows);
          rows.reverse(); // the listener's own array: this changes nothing delivered later
        });
        await until(() => calls.length === 1, 'the first delivery');
        const [a, b] = [...(calls[0] as Row<Todo>[])].reverse();
        expect(Object.isFrozen(a)).toBe(true);
        expect(Object.isFrozen(a?.value)).toBe(true);
        await todos.patch('b', { title: 'B2' });
        await until(() => calls.length === 2, 'the patch');
        const [a2, b2] = [...(calls[1] as Row<Todo>[])].reverse();
        expect(a2?.key).toBe('a');
        expect(a2).toBe(a);
        expect(b2).not.toBe(b);
        expect(b2?.value.title).toBe('B2');
        expect(Object.isFrozen(b2?.value)).toBe(true);
        expect(calls[1]).not.toBe(calls[0]);
        stop();
        await todos.patch('b', { title: 'B' });
      }
    });

    it('a live query keeps its ordered, limited window as rows enter, move and leave', async () => {
      const { todos } = await context.open();
      await todos.bulkPut(SEED);
      const query: Query<Todo> = { index: 'byList', where: { list: 'a' }, order: 'desc', limit: 2 };
      const calls: Row<Todo>[][] = [];
      const stop = todos.subscribe(query, (rows) => calls.push(rows));
      await until(() => calls.length === 1, 'the first delivery');
      expect(keysOf(calls[0])).toEqual(['t06', 't01']);
      const steps: [string, () => Promise<unknown>, string[]][] = [
        [
          'a row entering first',
          () => todos.put('t11', { title: 'eleven', list: 'a', at: 9 }),
          ['t11', 't06'],
        ],
        ['a row moving out of the list', () => todos.patch('t11', { list: 'b' }), ['t06', 't01']],
        ['the first row deleted', () => todos.delete('t06'), ['t01', 't08']],
        [
          'a bulk write',
          () => todos.bulkPut({ t12: { title: 'x', list: 'a', at: 2.5 }, t01: { title: 'one' } }),
          ['t12', 't08'],
        ],
        ['a row moving within', () => todos.patch('t08', { at: 7 }), ['t08', 't12']],
      ];
      for (const [what, change, keys] of steps) {
        await change();
        await until(() => keysOf(calls.at(-1)).join() === keys.join(), what);
        expect(calls.at(-1), what).toEqual(await todos.find(query));
      }
      stop();
    });

    it('a bad live query throws FerryValidationError at once', async () => {
      const { todos } = await context.open();
      const listener = () => {};
      const bad: [string, Query<Todo>][] = [
        ['an index not declared', { index: 'nope' }],
        ['where without an index', { where: { list: 'a' } }],
        ['where on a field that is not leading', { index: 'byList', where: { at: 1 } }],
        ['a negative limit', { index: 'byList', limit: -1 }],
      ];
      for (const [what, query] of bad) {
        expect(
          thrown(() => todos.subscribe(query, listener), what),
          what,
        ).toBeInstanceOf(FerryValidationError);
      }
    });
  });
}
