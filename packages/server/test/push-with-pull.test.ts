/**
 * A push that carries a pull (a protocol addition): one request commits the mutations and
 * answers the pull page read after them, as a pull sent next would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

const put = (id: number, key: string, space = 'alice') => ({
  id,
  space,
  collection: 'todos',
  key,
  op: 'put',
  value: { title: key },
});

describe.each(DATABASE_KINDS)('a push that pulls, on $name', (kind) => {
  let server: RunningServer;
  let alice: string;
  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.token('alice', ['alice', 'team']);
  });
  afterAll(() => server.stop());

  it("answers the page after the commit: others' changes and its own, up to its own version", async () => {
    const start = await server.post('/v1/pull', { clientId: 'c-both', cursor: null }, alice);
    await server.write([
      { space: 'alice', collection: 'todos', key: 'other', op: 'put', value: { by: 'app' } },
    ]);

    const push = await server.post(
      '/v1/push',
      {
        clientId: 'c-both',
        mutations: [put(1, 'mine')],
        pull: { cursor: start.body.cursor, limit: 100 },
      },
      alice,
    );
    expect(push.status).toBe(200);
    const [result] = push.body.results;
    expect(result).toMatchObject({ id: 1, status: 'applied' });
    expect(push.body.lastMutationId).toBe(1);
    expect(push.body.pull).toMatchObject({ hasMore: false, lastMutationId: 1 });
    expect(push.body.pull.changes.map((c: { key: string }) => c.key)).toEqual(['other', 'mine']);
    expect(push.body.pull.cursorVersion).toBeGreaterThanOrEqual(result.version);

    // Nothing is left that a pull sent next would bring.
    const next = await server.post(
      '/v1/pull',
      { clientId: 'c-both', cursor: push.body.pull.cursor },
      alice,
    );
    expect(next.body.changes).toEqual([]);
  });

  it('serves the pull page as a pull would: a limit with more to come, and chosen spaces', async () => {
    await server.post('/v1/push', { clientId: 'c-other', mutations: [put(1, 'x', 'team')] }, alice);
    const push = await server.post(
      '/v1/push',
      {
        clientId: 'c-paged',
        mutations: [put(1, 'p1'), put(2, 'p2', 'team')],
        pull: { cursor: null, limit: 1, spaces: ['team'] },
      },
      alice,
    );
    expect(push.status).toBe(200);
    expect(push.body.pull).toMatchObject({ hasMore: true, lastMutationId: 2 });
    expect(push.body.pull.changes.map((c: { space: string }) => c.space)).toEqual(['team']);
    const rest = await server.post(
      '/v1/pull',
      { clientId: 'c-paged', cursor: push.body.pull.cursor, spaces: ['team'] },
      alice,
    );
    expect(rest.body.changes.map((c: { key: string }) => c.key)).toContain('p2');
    expect(rest.body.changes.every((c: { space: string }) => c.space === 'team')).toBe(true);
  });

  it('a push without pull is answered as before, with no pull', async () => {
    const push = await server.post(
      '/v1/push',
      { clientId: 'c-plain', mutations: [put(1, 'plain')] },
      alice,
    );
    expect(push.status).toBe(200);
    expect(Object.keys(push.body).sort()).toEqual(['lastMutationId', 'results']);
  });

  it('a pull naming a space outside the token is 403, and the push applies nothing', async () => {
    const push = await server.post(
      '/v1/push',
      {
        clientId: 'c-refused',
        mutations: [put(1, 'refused')],
        pull: { cursor: null, spaces: ['bob'] },
      },
      alice,
    );
    expect(push.status).toBe(403);
    expect(push.body.error.code).toBe('forbidden');
    const pulled = await server.post('/v1/pull', { clientId: 'c-look', cursor: null }, alice);
    expect(pulled.body.changes.map((c: { key: string }) => c.key)).not.toContain('refused');
  });

  it('a malformed pull makes the whole push 400, naming the field, and applies nothing', async () => {
    for (const pull of [{ cursor: 5 }, { cursor: null, limit: 0 }, 'now']) {
      const push = await server.post(
        '/v1/push',
        { clientId: 'c-malformed', mutations: [put(1, 'malformed')], pull },
        alice,
      );
      expect(push.status).toBe(400);
      expect(push.body.error.message).toMatch(/^pull/);
    }
    const pulled = await server.post('/v1/pull', { clientId: 'c-look', cursor: null }, alice);
    expect(pulled.body.changes.map((c: { key: string }) => c.key)).not.toContain('malformed');
  });
});
