/**
 * Acceptance tests of declared indexes: every store orders entries by the one rule of
 * `indexEntry` (missing < null < false < true < numbers < strings by UTF-16 code units <
 * arrays and objects), answers ranges, both directions and limits, counts, and keeps its
 * data and outbox when the declarations change.
 */
import type { IndexDefinition, IndexScan, Store, StoredRecord } from '@ferry/client';
import { encodeField, HIGH } from '@ferry/client/internal';
import { describe, expect, it } from 'vitest';
import { put, record, type StoreTestContext } from './store-fixtures.ts';

const BY_RANK: IndexDefinition = { collection: 'items', name: 'byRank', fields: ['rank'] };
const BY_LIST: IndexDefinition = {
  collection: 'items',
  name: 'byList',
  fields: ['list', 'meta.at'],
};

/** One value of every kind, in the order the rule gives them (missing first). */
const ORDERED: (StoredRecord['value'][string] | undefined)[] = [
  undefined,
  null,
  false,
  true,
  -1e300,
  -2,
  -0.5,
  0,
  1,
  2.5,
  1e300,
  '',
  // Around the code units entries keep as themselves (# to |) and those they escape.
  ' ',
  '!',
  '"',
  '#',
  'A',
  'a',
  'ab',
  'b',
  '|',
  '}',
  '~',
  '\u007f',
  // A surrogate pair sorts below U+FFFF by UTF-16 code units (not by code point or UTF-8).
  '\u{1F600}',
  '\uffff',
  [],
  { a: 1 },
];

const scan = (space: string, index: string, bounds: Partial<IndexScan> = {}): IndexScan => ({
  space,
  collection: 'items',
  index,
  ...bounds,
});
const keys = (records: readonly StoredRecord[]) => records.map((r) => r.key);

/** Records r00… whose `rank` takes each value of ORDERED, written in reverse. */
function ranked(space = 's1'): StoredRecord[] {
  return ORDERED.map((rank, i) =>
    record(space, 'items', `r${String(i).padStart(2, '0')}`, rank === undefined ? {} : { rank }),
  ).reverse();
}

export function describeIndexTests(context: StoreTestContext): void {
  describe('indexes', () => {
    it('orders missing, null, booleans, numbers, strings and objects by one rule', async () => {
      const { store } = await context.open();
      await store.defineIndexes([BY_RANK]);
      await store.commit({ putRecords: ranked() });
      const expected = ORDERED.map((_, i) => `r${String(i).padStart(2, '0')}`);
      expect(keys(await store.scanIndex(scan('s1', 'byRank'), 'asc'))).toEqual(expected);
      expect(keys(await store.scanIndex(scan('s1', 'byRank'), 'desc'))).toEqual(
        [...expected].reverse(),
      );
      expect(keys(await store.scanIndex(scan('s1', 'byRank'), 'desc', 3))).toEqual(
        [...expected].reverse().slice(0, 3),
      );
      expect(await store.countIndex(scan('s1', 'byRank'))).toBe(ORDERED.length);
    });

    it('answers ranges of entries and breaks ties by key', async () => {
      const { store } = await context.open();
      await store.defineIndexes([BY_LIST]);
      const item = (key: string, list: string, at?: number) =>
        record('s1', 'items', key, at === undefined ? { list } : { list, meta: { at } });
      await store.commit({
        putRecords: [
          item('a', 'groceries', 3),
          item('b', 'groceries', 1),
          item('c', 'groceries', 2),
          item('d', 'work', 1),
          item('e', 'groceries'),
          item('f', 'groceries', 2),
          record('s2', 'items', 'g', { list: 'groceries', meta: { at: 0 } }),
        ],
      });
      const prefix = encodeField('groceries');
      const list = { lower: prefix, upper: prefix + HIGH, upperOpen: true };
      expect(keys(await store.scanIndex(scan('s1', 'byList', list), 'asc'))).toEqual([
        'e',
        'b',
        'c',
        'f',
        'a',
      ]);
      const from2 = { lower: prefix + encodeField(2), upper: prefix + HIGH, upperOpen: true };
      expect(keys(await store.scanIndex(scan('s1', 'byList', from2), 'asc', 2))).toEqual([
        'c',
        'f',
      ]);
      const below2 = { lower: prefix, upper: prefix + encodeField(2), upperOpen: true };
      expect(keys(await store.scanIndex(scan('s1', 'byList', below2), 'desc'))).toEqual(['b', 'e']);
      expect(await store.countIndex(scan('s1', 'byList', list))).toBe(5);
      expect(await store.countIndex(scan('s2', 'byList', list))).toBe(1);
      const empty = { lower: prefix + encodeField(3) + HIGH, upper: prefix + encodeField(1) };
      expect(await store.scanIndex(scan('s1', 'byList', empty), 'asc')).toEqual([]);
      expect(await store.countIndex(scan('s1', 'byList', empty))).toBe(0);
    });

    it('follows puts, deletes and cleared spaces', async () => {
      const { store } = await context.open();
      await store.defineIndexes([BY_RANK]);
      await store.commit({
        putRecords: [
          record('s1', 'items', 'a', { rank: 1 }),
          record('s1', 'items', 'b', { rank: 2 }),
          record('s2', 'items', 'c', { rank: 0 }),
        ],
      });
      await store.commit({
        deleteRecords: [{ space: 's1', collection: 'items', key: 'a' }],
        putRecords: [
          record('s1', 'items', 'b', { rank: 5 }),
          record('s1', 'items', 'd', { rank: 3 }),
        ],
      });
      const rows = await store.scanIndex(scan('s1', 'byRank'), 'asc');
      expect(rows.map((r) => [r.key, r.value.rank])).toEqual([
        ['d', 3],
        ['b', 5],
      ]);
      expect(rows[0]).toEqual(record('s1', 'items', 'd', { rank: 3 }));
      await store.commit({ clearSpaces: ['s1'] });
      expect(await store.countIndex(scan('s1', 'byRank'))).toBe(0);
      expect(keys(await store.scanIndex(scan('s2', 'byRank'), 'asc'))).toEqual(['c']);
      await store.commit({ clearAll: true, putRecords: [record('s3', 'items', 'e', { rank: 1 })] });
      expect(await store.countIndex(scan('s2', 'byRank'))).toBe(0);
      expect(keys(await store.scanIndex(scan('s3', 'byRank'), 'asc'))).toEqual(['e']);
    });

    it('builds new indexes from stored records, drops old ones, and keeps records and outbox', async () => {
      const { store, reopen } = await context.open();
      await store.commit({
        putRecords: [
          record('s1', 'items', 'a', { rank: 2, list: 'x' }),
          record('s1', 'items', 'b', { rank: 1, list: 'y' }),
          record('s1', 'other', 'c', { rank: 0 }),
        ],
        addOutbox: [put(1)],
      });
      await store.defineIndexes([BY_RANK]);
      expect(keys(await store.scanIndex(scan('s1', 'byRank'), 'asc'))).toEqual(['b', 'a']);
      const byListOnly: IndexDefinition = { ...BY_RANK, fields: ['list'] };
      await store.defineIndexes([byListOnly]);
      expect(keys(await store.scanIndex(scan('s1', 'byRank'), 'desc'))).toEqual(['b', 'a']);
      await store.defineIndexes([BY_LIST]);
      await expect(store.scanIndex(scan('s1', 'byRank'), 'asc')).rejects.toThrow(/byRank/);
      expect(keys(await store.scanIndex(scan('s1', 'byList'), 'asc'))).toEqual(['a', 'b']);
      expect(await store.getRecords('s1', 'items', ['b', 'zz', 'a'])).toEqual([
        record('s1', 'items', 'b', { rank: 1, list: 'y' }),
        undefined,
        record('s1', 'items', 'a', { rank: 2, list: 'x' }),
      ]);
      expect(await store.listOutbox()).toEqual([put(1)]);
      expect(await store.getRecord({ space: 's1', collection: 'items', key: 'a' })).toEqual(
        record('s1', 'items', 'a', { rank: 2, list: 'x' }),
      );
      if (reopen === undefined) return;
      await context.close(store);
      const again: Store = await reopen();
      context.track(again);
      await again.commit({ putRecords: [record('s1', 'items', 'c', { list: 'w' })] });
      expect(keys(await again.scanIndex(scan('s1', 'byList'), 'asc'))).toEqual(['c', 'a', 'b']);
      expect(await again.listOutbox()).toEqual([put(1)]);
    });
  });
}
