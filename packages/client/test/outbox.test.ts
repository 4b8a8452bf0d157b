/**
 * The in-memory outbox's grouping by collection and key stays what filtering every entry
 * would give, through any sequence of adds, removals by id and removals through an id.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../src/outbox.ts';
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
});
