/**
 * The in-memory outbox's grouping by collection and key stays what filtering every entry
 * would give, through any sequence of adds, removals by id and removals through an id; and
 * its pending keys in an index's order stay what placing every group anew would give,
 * whether the order was edited key by key or rebuilt after many changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EntryBounds,
  type IndexDefinition,
  indexEntry,
  withinBounds,
} from '../src/index-key.ts';
import { Outbox } from '../src/outbox.ts';
import { applyMutation } from '../src/overlay.ts';
import type { OutboxEntry } from '../src/store.ts';

const step = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    space: fc.constantFrom('a', 'b'),
    collection: fc.constantFrom('todos', 'notes'),
    key: fc.constantFrom('k1', 'k2', 'k3'),
  }),
  fc.record({
    kind: fc.constant('remove' as const),
    picks: fc.array(fc.nat(30), { maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('through' as const), id: fc.nat(30) }),
);

function grouped(entries: readonly OutboxEntry[], space: string, collection: string) {
  const byKey = new Map<string, OutboxEntry[]>();
  for (const e of entries) {
    if (e.space !== space || e.collection !== collection) continue;
    byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  }
  return byKey;
}

describe('Outbox', () => {
  it('groups by collection and key exactly as filtering every entry does', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const outbox = new Outbox([]);
        let naive: OutboxEntry[] = [];
        let nextId = 1;
        for (const s of steps) {
          if (s.kind === 'add') {
            const entry = { id: nextId++, ...s, op: 'delete' } as unknown as OutboxEntry;
            outbox.add(entry);
            naive.push(entry);
          } else if (s.kind === 'remove') {
            const ids = new Set(s.picks);
            expect(outbox.remove(ids)).toEqual(naive.filter((e) => ids.has(e.id)));
            naive = naive.filter((e) => !ids.has(e.id));
          } else {
            expect(outbox.removeThrough(s.id)).toEqual(naive.filter((e) => e.id <= s.id));
            naive = naive.filter((e) => e.id > s.id);
          }
          for (const space of ['a', 'b'])
            for (const collection of ['todos', 'notes']) {
              const want = grouped(naive, space, collection);
              expect(new Map(outbox.forCollection(space, collection))).toEqual(want);
              for (const key of ['k1', 'k2', 'k3'])
                expect(outbox.forRecord(space, collection, key)).toEqual(want.get(key) ?? []);
            }
          expect(outbox.size).toBe(naive.length);
        }
      }),
    );
  });

  it('keeps pending keys in index order through any changes, edited or rebuilt', () => {
    const byN: IndexDefinition = { collection: 'items', name: 'byN', fields: ['n'] };
    const write = fc.record({
      op: fc.constantFrom('put', 'patch', 'delete'),
      key: fc.integer({ min: 0, max: 99 }).map((i) => `k${i}`),
      n: fc.integer({ min: 0, max: 9 }),
    });
    const change = fc.oneof(
      // Up to 150 writes, or removals, between two queries: past 64 the order is rebuilt.
      fc.record({
        kind: fc.constant('writes' as const),
        writes: fc.array(write, { maxLength: 150 }),
      }),
      fc.record({
        kind: fc.constant('remove' as const),
        picks: fc.array(fc.nat(400), { maxLength: 80 }),
      }),
    );
    const bound = fc.option(fc.record({ n: fc.integer({ min: 0, max: 9 }), open: fc.boolean() }), {
      nil: undefined,
    });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 8 }), bound, bound, (changes, low, high) => {
        const outbox = new Outbox([]);
        let nextId = 1;
        const at = (n: number) => indexEntry(['n'], { n }, '');
        const bounds: EntryBounds = {
          ...(low && { lower: at(low.n), lowerOpen: low.open }),
          // An entry ends with its key: past every key of n, or before them when open.
          ...(high && {
            upper: high.open ? at(high.n) : `${at(high.n)}\uffff`,
            upperOpen: high.open,
          }),
        };
        const pending = () => outbox.pendingWrites('s', 'items').inIndex(byN);
        for (const c of changes) {
          if (c.kind === 'writes') {
            for (const w of c.writes) {
              const value = w.op === 'delete' ? {} : { value: { n: w.n } };
              outbox.add({
                id: nextId++,
                space: 's',
                collection: 'items',
                key: w.key,
                op: w.op,
                ...value,
              } as unknown as OutboxEntry);
            }
          } else {
            outbox.remove(new Set(c.picks));
          }
          // What placing every group anew gives.
          const placed: [string, string][] = [];
          const patchFirst = new Set<string>();
          for (const [key, writes] of outbox.forCollection('s', 'items')) {
            if (writes[0]!.op === 'patch') {
              patchFirst.add(key);
              continue;
            }
            let value: ReturnType<typeof applyMutation>;
            for (const w of writes) value = applyMutation(value, w);
            if (value === undefined) continue;
            const entry = indexEntry(byN.fields, value, key);
            if (withinBounds(entry, bounds)) placed.push([entry, key]);
          }
          placed.sort((a, b) => (a[0] < b[0] ? -1 : 1));
          expect(pending().keysIn(bounds)).toEqual(placed.map(([, key]) => key));
          expect(new Set(pending().patchFirst())).toEqual(patchFirst);
        }
      }),
    );
  });
});
