/**
 * A live query kept up to date from the keys each change names gives, after every step, the
 * same rows as running the query afresh: random local writes, pulled changes (some of them
 * confirming pending writes), rollbacks and changes too large to name, on the memory store
 * and on SQLite. Several steps before one update stand for commits folded together while an
 * update was under way. Limited windows lose rows and fill again from the index here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMemoryStore,
  type IndexDefinition,
  type OutboxEntry,
  type Store,
} from '@ferry/client';
import { openSqliteStore } from '@ferry/node';
import type { JsonObject, MutationId, SpaceId } from '@ferry/protocol';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createLiveQuery } from '../packages/client/src/live-query.ts';
import { Outbox } from '../packages/client/src/outbox.ts';
import { type FindQuery, findRows, getRows } from '../packages/client/src/query.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-live-queries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const STORES: [string, () => Promise<Store>][] = [
  ['memory', async () => createMemoryStore()],
  ['SQLite', async () => openSqliteStore(join(dir, `l-${++n}.db`))],
];

const INDEXES: IndexDefinition[] = [
  { collection: 'items', name: 'byList', fields: ['list', 'at'] },
  { collection: 'items', name: 'byAt', fields: ['at'] },
];

const key = fc.constantFrom('k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9');
const item = fc
  .record({
    list: fc.constantFrom('a', 'b', null),
    at: fc.integer({ min: 0, max: 5 }),
    n: fc.integer({ min: 0, max: 3 }),
  })
  .map((v): JsonObject => v);
const step = fc.oneof(
  fc.record({
    kind: fc.constant('write' as const),
    op: fc.constantFrom('put' as const, 'patch' as const),
    key,
    value: item,
  }),
  fc.record({ kind: fc.constant('write' as const), op: fc.constant('delete' as const), key }),
  fc.record({
    kind: fc.constant('pull' as const),
    puts: fc.dictionary(key, item, { maxKeys: 3 }),
    deletes: fc.array(key, { maxLength: 2 }),
    confirm: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('rollback' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('unnamed' as const),
    puts: fc.dictionary(key, item, { maxKeys: 3 }),
  }),
);
const query = fc.record({
  index: fc.constantFrom('byList', 'byAt', undefined),
  useWhere: fc.boolean(),
  order: fc.constantFrom('asc' as const, 'desc' as const),
  limit: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  filterEven: fc.boolean(),
});

describe.each(STORES)('live queries kept from changed keys: %s', (_name, open) => {
  it('equal a fresh find after every step', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(key, item, { maxKeys: 10 }),
        query,
        fc.array(fc.array(step, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
        async (initial, q, rounds) => {
          const store = await open();
          try {
            await store.defineIndexes(INDEXES);
            let version = 0;
            const base = (puts: Record<string, JsonObject>) =>
              Object.entries(puts).map(([k, value]) => ({
                space: 's',
                collection: 'items',
                key: k,
                value,
                version: ++version,
              }));
            await store.commit({ putRecords: base(initial) });
            let outbox: OutboxEntry[] = [];
            let nextId = 1;
            // The live query reads an outbox changed step by step, whose pending index is
            // edited as it changes; a fresh query reads one made anew from the same entries.
            const kept = new Outbox([]);
            const pending = () => kept.pendingWrites('s', 'items');
            const freshPending = () => new Outbox(outbox).pendingWrites('s', 'items');
            const def = INDEXES.find((d) => d.name === q.index);
            const find: FindQuery = { order: q.order };
            if (def !== undefined) {
              find.index = def.name;
              if (q.useWhere && def.name === 'byList') find.where = { list: 'a' };
            }
            if (q.limit !== undefined) find.limit = q.limit;
            if (q.filterEven) find.filter = (v) => (v.n as number) % 2 === 0;
            const fresh = () => findRows(store, freshPending(), 's', 'items', def, find);
            const live = createLiveQuery('items', def, find, {
              find: (query) => findRows(store, pending(), 's', 'items', def, query),
              getRows: (keys) => {
                const { byKey } = pending();
                return getRows(store, (k) => byKey.get(k) ?? [], 's', 'items', keys);
              },
            });
            expect(await live.read()).toEqual(await fresh());

            for (const round of rounds) {
              const changed = new Set<string>();
              let unnamed = false;
              for (const s of round) {
                if (s.kind === 'write') {
                  const value = s.op === 'delete' ? {} : { value: s.value };
                  const entry = {
                    id: nextId++ as MutationId,
                    space: 's' as SpaceId,
                    collection: 'items',
                    key: s.key,
                    op: s.op,
                    ...value,
                  } as OutboxEntry;
                  outbox.push(entry);
                  kept.add(entry);
                  changed.add(s.key);
                } else if (s.kind === 'pull') {
                  const deletes = s.deletes.filter((k) => !(k in s.puts));
                  const confirmed = s.confirm ? outbox.slice(0, 1) : [];
                  await store.commit({
                    putRecords: base(s.puts),
                    deleteRecords: deletes.map((k) => ({
                      space: 's',
                      collection: 'items',
                      key: k,
                    })),
                    removeOutbox: confirmed.map((e) => e.id),
                  });
                  outbox = outbox.slice(confirmed.length);
                  kept.remove(new Set(confirmed.map((e) => e.id)));
                  for (const k of [...Object.keys(s.puts), ...deletes]) changed.add(k);
                  for (const e of confirmed) changed.add(e.key);
                } else if (s.kind === 'rollback') {
                  const dropped = outbox[s.at % Math.max(1, outbox.length)];
                  if (dropped === undefined) continue;
                  outbox = outbox.filter((e) => e !== dropped);
                  kept.remove(new Set([dropped.id]));
                  changed.add(dropped.key);
                } else {
                  await store.commit({ putRecords: base(s.puts) });
                  unnamed = true;
                }
              }
              const rows = unnamed ? await live.read() : await live.update([...changed]);
              expect(rows).toEqual(await fresh());
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
