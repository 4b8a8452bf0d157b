import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

describe.each(DATABASE_KINDS)('push and pull on $name', (kind) => {
  let server: RunningServer;
  let alice: string;
  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.token('alice', ['alice', 'team']);
  });
  afterAll(() => server.stop());

  it('applies put, patch and delete in order and pulls the latest state', async () => {
    const push = await server.post(
      '/v1/push',
      {
        clientId: 'c-basic',
        mutations: [
          {
            id: 1,
            space: 'alice',
            collection: 'todos',
            key: 't1',
            op: 'put',
            value: { title: 'milk', done: false },
          },
          {
            id: 2,
            space: 'alice',
            collection: 'todos',
            key: 't1',
            op: 'patch',
            value: { done: true, title: null, n: 1 },
          },
          {
            id: 3,
            space: 'alice',
            collection: 'todos',
            key: 't0',
            op: 'put',
            value: { title: 'eggs' },
          },
          { id: 4, space: 'alice', collection: 'todos', key: 't0', op: 'delete' },
        ],
      },
      alice,
    );
    expect(push.status).toBe(200);
    expect(push.body.lastMutationId).toBe(4);
    expect(push.body.results.map((r: { status: string }) => r.status)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
    ]);
    const versions = push.body.results.map((r: { version: number }) => r.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);

    const first = await server.post('/v1/pull', { clientId: 'c-basic', cursor: null }, alice);
    expect(first.status).toBe(200);
    // A snapshot from the beginning carries live records only.
    expect(first.body.changes).toEqual([
      {
        space: 'alice',
        collection: 'todos',
        key: 't1',
        version: versions[1],
        value: { done: true, n: 1 },
      },
    ]);
    expect(first.body.hasMore).toBe(false);
    expect(first.body.lastMutationId).toBe(4);

    await server.post(
      '/v1/push',
      {
        clientId: 'c-basic',
        mutations: [{ id: 5, space: 'alice', collection: 'todos', key: 't1', op: 'delete' }],
      },
      alice,
    );
    const next = await server.post(
      '/v1/pull',
      { clientId: 'c-basic', cursor: first.body.cursor },
      alice,
    );
    expect(next.body.changes).toEqual([
      { space: 'alice', collection: 'todos', key: 't1', version: expect.any(Number), value: null },
    ]);
    expect(next.body.lastMutationId).toBe(5);
  });

  it('pages with hasMore and never repeats a change', async () => {
    const mutations = Array.from({ length: 25 }, (_, i) => ({
      id: i + 1,
      space: 'team',
      collection: 'items',
      key: `k${String(i).padStart(2, '0')}`,
      op: 'put',
      value: { i },
    }));
    await server.post('/v1/push', { clientId: 'c-pager', mutations }, alice);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await server.post(
        '/v1/pull',
        { clientId: 'c-pager', cursor, limit: 10, spaces: ['team'] },
        alice,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.changes.map((c: { key: string }) => c.key));
      cursor = page.body.cursor;
      pages += 1;
      if (!page.body.hasMore) break;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(mutations.map((m) => m.key));
  });

  it('pages over several spaces in version order, each change once', async () => {
    const bob = await server.token('bob', ['bob-a', 'bob-b', 'bob-c']);
    // Writes alternate between the spaces, one push each, so every page mixes them.
    const written: string[] = [];
    for (let i = 0; i < 14; i++) {
      const space = ['bob-a', 'bob-b', 'bob-c'][i % 3]!;
      const key = `${space}-${i}`;
      const push = await server.post(
        '/v1/push',
        {
          clientId: 'c-bob-writer',
          mutations: [{ id: i + 1, space, collection: 'items', key, op: 'put', value: { i } }],
        },
        bob,
      );
      expect(push.body.results[0].status).toBe('applied');
      written.push(key);
    }
    const seen: { key: string; version: number }[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await server.post(
        '/v1/pull',
        { clientId: 'c-bob-reader', cursor, limit: 4, spaces: ['bob-c', 'bob-a', 'bob-b'] },
        bob,
      );
      expect(page.status).toBe(200);
      expect(page.body.changes.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.changes);
      cursor = page.body.cursor;
      if (!page.body.hasMore) break;
    }
    expect(seen.map((c) => c.key)).toEqual(written);
    const versions = seen.map((c) => c.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('pulls back any key the protocol allows, every character JSON escapes included', async () => {
    const keys = [
      'quote"d',
      'back\\slash',
      'line\nbreak\ttab\r',
      '\u0001\u001f\u007f',
      '😀\u2028é',
    ];
    const mutations = keys.map((key, i) => ({
      id: i + 1,
      space: 'alice',
      collection: 'odd-keys',
      key,
      op: 'put',
      value: { key, note: 'ü"\\' },
    }));
    const push = await server.post('/v1/push', { clientId: 'c-odd-keys', mutations }, alice);
    expect(push.status).toBe(200);
    // One space is one statement, several spaces another: both write the changes' JSON.
    for (const spaces of [['alice'], ['alice', 'team']]) {
      const pulled = await server.post(
        '/v1/pull',
        { clientId: 'c-odd-keys', cursor: null, spaces },
        alice,
      );
      expect(pulled.status).toBe(200);
      const odd = pulled.body.changes.filter(
        (c: { collection: string }) => c.collection === 'odd-keys',
      );
      expect(odd.map((c: { key: string; value: unknown }) => [c.key, c.value])).toEqual(
        keys.map((key) => [key, { key, note: 'ü"\\' }]),
      );
    }
  });

  it('stores each value of a batch on its own record, tombstones and every escaped character among them', async () => {
    const odd = [
      'unit\u001fseparator',
      'nul\u0000byte',
      'lone \ud800 surrogate',
      'quote" back\\slash',
      '😀\u2028',
    ];
    const put = (id: number, key: string, value: object) => ({
      id,
      space: 'alice',
      collection: 'odd-values',
      key,
      op: 'put',
      value,
    });
    const del = (id: number, key: string) => ({
      id,
      space: 'alice',
      collection: 'odd-values',
      key,
      op: 'delete',
    });
    const pushed = async (mutations: object[]) => {
      const push = await server.post('/v1/push', { clientId: 'c-odd-values', mutations }, alice);
      expect(push.status).toBe(200);
      expect(push.body.results.map((r: { status: string }) => r.status)).toEqual(
        mutations.map(() => 'applied'),
      );
    };
    await pushed([put(1, 'gone-1', { a: 1 }), put(2, 'gone-2', { a: 2 })]);
    // A pull from the start carries live records only: the tombstones show after a cursor.
    const before = await server.post('/v1/pull', { clientId: 'c-odd-values', cursor: null }, alice);
    // One batch where tombstones sit between values; then one whose only write is a tombstone.
    await pushed([
      put(3, 'v0', { text: odd[0], nested: [odd[1], { deeper: odd[2] }] }),
      del(4, 'gone-1'),
      put(5, 'v1', { text: odd[3] }),
      put(6, 'v2', { text: odd[4], empty: {} }),
    ]);
    await pushed([del(7, 'gone-2')]);

    const pulled = await server.post(
      '/v1/pull',
      { clientId: 'c-odd-values', cursor: before.body.cursor },
      alice,
    );
    expect(pulled.status).toBe(200);
    const byKey = new Map(
      pulled.body.changes
        .filter((c: { collection: string }) => c.collection === 'odd-values')
        .map((c: { key: string; value: unknown }) => [c.key, c.value]),
    );
    expect(Object.fromEntries(byKey)).toEqual({
      'gone-1': null,
      'gone-2': null,
      v0: { text: odd[0], nested: [odd[1], { deeper: odd[2] }] },
      v1: { text: odd[3] },
      v2: { text: odd[4], empty: {} },
    });
    // Tombstones really are deleted records: a pull from the start leaves them out.
    const snapshot = await server.post(
      '/v1/pull',
      { clientId: 'c-odd-values', cursor: null },
      alice,
    );
    expect(
      snapshot.body.changes
        .filter((c: { collection: string }) => c.collection === 'odd-values')
        .map((c: { key: string }) => c.key)
        .sort(),
    ).toEqual(['v0', 'v1', 'v2']);
  });

  it('rejects per mutation and still consumes the id', async () => {
    const push = await server.post(
      '/v1/push',
      {
        clientId: 'c-reject',
        mutations: [
          { id: 1, space: 'bob', collection: 'x', key: 'a', op: 'put', value: {} },
          {
            id: 2,
            space: 'alice',
            collection: 'x',
            key: 'new',
            op: 'put',
            value: { v: 1 },
            ifVersion: 12345,
          },
          {
            id: 3,
            space: 'alice',
            collection: 'x',
            key: 'new',
            op: 'put',
            value: { v: 1 },
            ifVersion: 0,
          },
          {
            id: 4,
            space: 'alice',
            collection: 'x',
            key: 'new',
            op: 'put',
            value: { v: 2 },
            ifVersion: 0,
          },
        ],
      },
      alice,
    );
    expect(push.status).toBe(200);
    const [forbidden, conflict, applied, conflictAgain] = push.body.results;
    expect(forbidden).toMatchObject({ id: 1, status: 'rejected', error: { code: 'forbidden' } });
    expect(conflict).toMatchObject({ id: 2, status: 'rejected', error: { code: 'conflict' } });
    expect(applied).toMatchObject({ id: 3, status: 'applied' });
    expect(conflictAgain).toMatchObject({ id: 4, status: 'rejected', error: { code: 'conflict' } });
    expect(push.body.lastMutationId).toBe(4);

    const withVersion = await server.post(
      '/v1/push',
      {
        clientId: 'c-reject',
        mutations: [
          {
            id: 5,
            space: 'alice',
            collection: 'x',
            key: 'new',
            op: 'patch',
            value: { w: 1 },
            ifVersion: applied.version,
          },
        ],
      },
      alice,
    );
    expect(withVersion.body.results[0]).toMatchObject({ status: 'applied' });
  });
});
