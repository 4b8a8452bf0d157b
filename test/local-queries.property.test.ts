/**
 * Indexed queries with pending local writes give exactly what a naive reference gives (read
 * everything, overlay the outbox, filter, sort by the ordering rule, slice), on every store:
 * memory, SQLite through @ferry/node, and IndexedDB on fake-indexeddb. Dropping outbox
 * entries, as a rollback does, takes their effect out of the result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndexedDbStore } from '@ferry/browser';
import {
  createMemoryStore,
  type IndexDefinition,
  type OutboxEntry,
  type Row,
  type Store,
} from '@ferry/client';
import { openSqliteStore } from '@ferry/node';
import type { JsonObject, JsonValue, MutationId, SpaceId } from '@ferry/protocol';
import { IDBFactory } from 'fake-indexeddb';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readPath } from '../packages/client/src/index-key.ts';
import { Outbox } from '../packages/client/src/outbox.ts';
import { overlayCollection } from '../packages/client/src/overlay.ts';
import { countRows, type FindQuery, findRows } from '../packages/client/src/query.ts';
import 'fake-indexeddb/auto';

const dir = mkdtempSync(join(tmpdir(), 'ferry-queries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const STORES: [string, () => Promise<Store>][] = [
  ['memory', async () => createMemoryStore()],
  ['SQLite', async () => openSqliteStore(join(dir, `q-${++n}.db`))],
  [
    'IndexedDB (fake-indexeddb)',
    () => openIndexedDbStore({ name: `q-${++n}`, indexedDB: new IDBFactory() }),
  ],
];

const INDEXES: IndexDefinition[] = [
  { collection: 'items', name: 'byList', fields: ['list', 'at'] },
  { collection: 'items', name: 'byAt', fields: ['at'] },
];

// ---- the reference: the ordering rule written out directly ----
const rank = (v: JsonValue | undefined): number =>
  v === undefined
    ? 0
    : v === null
      ? 1
      : v === false
        ? 2
        : v === true
          ? 3
          : typeof v === 'number'
            ? 4
            : typeof v === 'string'
              ? 5
              : 6;
function compareValues(a: JsonValue | undefined, b: JsonValue | undefined): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const sa = typeof a === 'string' ? a : JSON.stringify(a ?? null);
  const sb = typeof b === 'string' ? b : JSON.stringify(b ?? null);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
function compareRows(fields: readonly string[], a: Row, b: Row): number {
  for (const f of fields) {
    const c = compareValues(readPath(a.value, f), readPath(b.value, f));
    if (c !== 0) return c;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
function reference(rows: Row[], def: IndexDefinition, q: FindQuery): Row[] {
  const where = q.where ?? {};
  const fixed = Object.keys(where).length;
  const next = def.fields[fixed];
  let kept = rows.filter((row) => {
    for (const [f, v] of Object.entries(where)) {
      if (compareValues(readPath(row.value, f), v) !== 0) return false;
    }
    const r = q.range;
    if (r !== undefined && next !== undefined) {
      const v = readPath(row.value, next);
      if (r.gt !== undefined && !(compareValues(v, r.gt) > 0)) return false;
      if (r.gte !== undefined && !(compareValues(v, r.gte) >= 0)) return false;
      if (r.lt !== undefined && !(compareValues(v, r.lt) < 0)) return false;
      if (r.lte !== undefined && !(compareValues(v, r.lte) <= 0)) return false;
    }
    return q.filter === undefined || q.filter(row.value, row.key);
  });
  kept.sort((a, b) => compareRows(def.fields, a, b));
  if (q.order === 'desc') kept.reverse();
  if (q.after !== undefined) {
    const after = { key: q.after.key, value: q.after.value, version: null, pending: false };
    kept = kept.filter((row) => {
      const c = compareRows(def.fields, row, after);
      return q.order === 'desc' ? c < 0 : c > 0;
    });
  }
  return q.limit === undefined ? kept : kept.slice(0, q.limit);
}

// ---- generators ----
const value = fc.constantFrom<JsonValue | undefined>(
  undefined,
  null,
  false,
  true,
  -1,
  0,
  2.5,
  3,
  '',
  'a',
  'b',
  'ab',
  '\u{1F600}',
  '\uffff',
  [1],
);
const item = fc.record({ list: value, at: value, n: fc.integer({ min: 0, max: 9 }) }).map((r) => {
  const v: JsonObject = { n: r.n };
  if (r.list !== undefined) v.list = r.list;
  if (r.at !== undefined) v.at = r.at;
  return v;
});
const key = fc.constantFrom('k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9');
const base = fc.dictionary(key, item, { maxKeys: 10 });
const mutation = fc.oneof(
  fc.record({ op: fc.constant('put' as const), key, value: item }),
  fc.record({ op: fc.constant('patch' as const), key, value: item }),
  fc.record({ op: fc.constant('delete' as const), key }),
);
const query = fc.record(
  {
    index: fc.constantFrom('byList', 'byAt'),
    whereValue: value,
    useWhere: fc.boolean(),
    range: fc.record({ gt: value, gte: value, lt: value, lte: value }, { requiredKeys: [] }),
    order: fc.constantFrom('asc' as const, 'desc' as const),
    limit: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    afterIndex: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
    filterEven: fc.boolean(),
  },
  { requiredKeys: ['index', 'order', 'useWhere', 'filterEven'] },
);

const pendingOf = (entries: readonly OutboxEntry[]) =>
  new Outbox(entries).pendingWrites('s', 'items');

describe.each(STORES)('indexed queries with pending writes: %s', (_name, open) => {
  it('match the naive reference, before and after a rollback', async () => {
    await fc.assert(
      fc.asyncProperty(
        base,
        fc.array(mutation, { maxLength: 6 }),
        query,
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        async (records, mutations, q, rolledBack) => {
          const store = await open();
          try {
            await store.defineIndexes(INDEXES);
            await store.commit({
              putRecords: Object.entries(records).map(([k, v], i) => ({
                space: 's',
                collection: 'items',
                key: k,
                value: v,
                version: i + 1,
              })),
            });
            const outbox: OutboxEntry[] = mutations.map((m, i) => ({
              id: (i + 1) as MutationId,
              space: 's' as SpaceId,
              collection: 'items',
              ...m,
            })) as OutboxEntry[];
            const def = INDEXES.find((d) => d.name === q.index)!;
            const whole = overlayCollection(
              await store.listRecords('s', 'items'),
              pendingOf(outbox).byKey,
            );
            const find: FindQuery = { index: q.index, order: q.order };
            if (q.useWhere) find.where = { [def.fields[0]!]: q.whereValue ?? null };
            // A range bounds the field after those where fixes: byAt with where has none.
            if (q.range !== undefined && !(q.useWhere && def.fields.length === 1)) {
              find.range = q.range as FindQuery['range'];
            }
            if (q.limit !== undefined) find.limit = q.limit;
            if (q.filterEven) find.filter = (v) => (v.n as number) % 2 === 0;
            const afterRow = q.afterIndex === undefined ? undefined : whole[q.afterIndex];
            if (afterRow !== undefined) find.after = { key: afterRow.key, value: afterRow.value };

            for (const kept of [outbox, outbox.filter((_, i) => !rolledBack[i])]) {
              const pending = pendingOf(kept);
              const all = overlayCollection(await store.listRecords('s', 'items'), pending.byKey);
              const got = await findRows(store, pending, 's', 'items', def, find);
              expect(got).toEqual(reference(all, def, find));
              const { limit: _l, after: _a, order: _o, ...countable } = find;
              expect(await countRows(store, pending, 's', 'items', def, countable)).toBe(
                reference(all, def, countable).length,
              );
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
