/** Tombstones past their retention are removed, and only cursors that could have missed one are reset. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

describe.each(DATABASE_KINDS)('tombstone compaction on $name', (kind) => {
  let server: RunningServer;
  let token: string;
  beforeAll(async () => {
    server = await startServer(kind, { tombstoneRetentionMs: 60_000 });
    token = await server.token('tia');
  });
  afterAll(() => server.stop());

  const push = (id: number, key: string, op: 'put' | 'delete') =>
    server.post(
      '/v1/push',
      {
        clientId: 'c-writer',
        mutations: [
          {
            id,
            space: 'tia',
            collection: 'c',
            key,
            op,
            ...(op === 'put' ? { value: { key } } : {}),
          },
        ],
      },
      token,
    );
  const pull = (clientId: string, cursor: string | null) =>
    server.post('/v1/pull', { clientId, cursor }, token);

  it('removes old tombstones, keeps live records and new tombstones, and resets only older cursors', async () => {
    await push(1, 'keep', 'put');
    await push(2, 'gone', 'put');
    const before = await pull('c-early', null); // a cursor from before the delete
    await push(3, 'gone', 'delete');
    const afterDelete = await pull('c-late', null); // a cursor that has seen the delete
    // The delete is now older than the retention; a later delete is not.
    await server.database.query(
      `UPDATE ferry_records SET committed_at = now() - interval '2 minutes' WHERE key = 'gone'`,
    );
    await push(4, 'keep2', 'put');
    await push(5, 'keep2', 'delete');

    const result = await server.compact();
    expect(result.removed).toBe(1);
    const rows = await server.database.query<{ key: string; value: string | null }>(
      'SELECT key, value FROM ferry_records ORDER BY key',
    );
    expect(rows.map((r) => [r.key, r.value === null])).toEqual([
      ['keep', false],
      ['keep2', true],
    ]);

    const early = await pull('c-early', before.body.cursor);
    expect(early.body.reset).toBe(true);
    expect(early.body.changes.map((c: { key: string }) => c.key)).toEqual(['keep']);
    const late = await pull('c-late', afterDelete.body.cursor);
    expect(late.body.reset).toBeUndefined();
    expect(late.body.changes.map((c: { key: string; value: unknown }) => [c.key, c.value])).toEqual(
      [['keep2', null]],
    );
    // Nothing more to remove: compaction is idempotent.
    expect((await server.compact()).removed).toBe(0);
  });
});
