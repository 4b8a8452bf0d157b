/**
 * A pull page that leaves more to read says about how many changes remain after it, in the
 * spaces pulled and no others, so a first sync can show a percentage. The first page of a
 * snapshot counts far, later pages only ten pages ahead (a count costs). The last page
 * says nothing: there is nothing left, and a live client's pull costs no count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

async function putRecords(
  server: RunningServer,
  token: string,
  clientId: string,
  space: string,
  count: number,
): Promise<void> {
  const mutations = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    space,
    collection: 'items',
    key: `k${i}`,
    op: 'put',
    value: { n: i },
  }));
  const push = await server.post('/v1/push', { clientId, mutations }, token);
  expect(push.status).toBe(200);
}

describe.each(DATABASE_KINDS)('pull: remaining on $name', (kind) => {
  let server: RunningServer;
  let alice: string;
  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.token('alice', ['alice', 'team']);
    const bob = await server.token('bob', ['bob']);
    // Interleaved spaces, so versions alone could not tell what is alice's.
    await putRecords(server, alice, 'writer-a', 'alice', 12);
    await putRecords(server, bob, 'writer-b', 'bob', 30);
    await putRecords(server, alice, 'writer-t', 'team', 13);
  });
  afterAll(() => server.stop());

  it('counts what is left in the pulled spaces after each page, and nothing on the last', async () => {
    const remaining: Array<number | undefined> = [];
    const pulled: number[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await server.post('/v1/pull', { clientId: 'reader', cursor, limit: 10 }, alice);
      expect(page.status).toBe(200);
      pulled.push(page.body.changes.length);
      remaining.push(page.body.remaining);
      cursor = page.body.cursor;
      if (!page.body.hasMore) break;
    }
    expect(pulled).toEqual([10, 10, 5]);
    expect(remaining).toEqual([15, 5, undefined]);
  });

  it('counts everything on the first page of a snapshot, and ten pages ahead on later ones', async () => {
    const first = await server.post('/v1/pull', { clientId: 'r1', cursor: null, limit: 1 }, alice);
    expect(first.body.remaining).toBe(24);
    const second = await server.post(
      '/v1/pull',
      { clientId: 'r1', cursor: first.body.cursor, limit: 1 },
      alice,
    );
    expect(second.body.remaining).toBe(10);
  });

  it('counts only the spaces a pull names', async () => {
    const page = await server.post(
      '/v1/pull',
      { clientId: 'reader-team', cursor: null, limit: 4, spaces: ['team'] },
      alice,
    );
    expect(page.body).toMatchObject({ hasMore: true, remaining: 9 });
  });
});
