/** Cursors the server cannot serve are answered with `reset: true` and a snapshot, never with skipped data. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

describe.each(DATABASE_KINDS)('cursor reset on $name', (kind) => {
  let server: RunningServer;
  let other: RunningServer;
  let token: string;
  beforeAll(async () => {
    [server, other] = await Promise.all([startServer(kind), startServer(kind)]);
    token = await server.token('rita', ['rita', 'team']);
    const mutations = ['rita', 'team'].map((space, i) => ({
      id: i + 1,
      space,
      collection: 'c',
      key: space,
      op: 'put',
      value: { space },
    }));
    await server.post('/v1/push', { clientId: 'c-writer', mutations }, token);
  });
  afterAll(() => Promise.all([server.stop(), other.stop()]));

  const pull = (body: object, target = server) =>
    target.post('/v1/pull', { clientId: 'c-reader', ...body }, token);

  it('a valid cursor continues without reset', async () => {
    const first = await pull({ cursor: null });
    expect(first.body.reset).toBeUndefined();
    expect(first.body.changes).toHaveLength(2);
    const next = await pull({ cursor: first.body.cursor });
    expect(next.body.reset).toBeUndefined();
    expect(next.body.changes).toEqual([]);
  });

  it('an unknown cursor gets a snapshot with reset', async () => {
    for (const cursor of ['garbage', Buffer.from('c1.x.1.y').toString('base64url'), '']) {
      const r = await pull({ cursor });
      expect(r.status).toBe(200);
      expect(r.body.reset).toBe(true);
      expect(r.body.changes.map((c: { key: string }) => c.key).sort()).toEqual(['rita', 'team']);
    }
  });

  it('a cursor from another server gets a reset', async () => {
    const fromOther = await other.post(
      '/v1/pull',
      { clientId: 'c-elsewhere', cursor: null },
      await other.token('rita', ['rita', 'team']),
    );
    const r = await pull({ cursor: fromOther.body.cursor });
    expect(r.body.reset).toBe(true);
    expect(r.body.changes).toHaveLength(2);
  });

  it('a cursor for a different set of spaces gets a reset', async () => {
    const onlyMine = await pull({ cursor: null, spaces: ['rita'] });
    expect(onlyMine.body.changes.map((c: { key: string }) => c.key)).toEqual(['rita']);
    const widened = await pull({ cursor: onlyMine.body.cursor, spaces: ['rita', 'team'] });
    expect(widened.body.reset).toBe(true);
    expect(widened.body.changes.map((c: { key: string }) => c.key).sort()).toEqual([
      'rita',
      'team',
    ]);
    // The same set in another order is the same set.
    const reordered = await pull({ cursor: widened.body.cursor, spaces: ['team', 'rita'] });
    expect(reordered.body.reset).toBeUndefined();
  });
});
