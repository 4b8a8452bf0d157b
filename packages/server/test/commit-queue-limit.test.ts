/**
 * The group-commit queue is bounded: with more mutations waiting than
 * `limits.maxQueuedMutations`, a client push is refused at once with 503 `unavailable` and
 * Retry-After: 1 and changes nothing; the same push sent again later is applied once. The
 * app's own server writes always wait. One transaction runs at a time here, so that every
 * push after the held one waits in the queue.
 */
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { holdableKind, queuedMutations } from './support/holdable-database.ts';
import { startServer } from './support/server.ts';

const put = (id: number, key: string) => ({
  id,
  space: 'u',
  collection: 'items',
  key,
  op: 'put',
  value: { key },
});

describe.each(DATABASE_KINDS)('a full commit queue ($name)', (kind) => {
  it('refuses client pushes with 503 and Retry-After; a later resend applies once', async () => {
    const { holdable, control } = holdableKind(kind);
    const server = await startServer(holdable, {
      limits: { maxQueuedMutations: 2, maxConcurrentBatches: 1 },
    });
    try {
      const token = await server.token('u');
      const holding = control.hold();
      // The first push is taken into a transaction, which waits.
      const first = server.post('/v1/push', { clientId: 'c1', mutations: [put(1, 'a')] }, token);
      await holding;
      // Two mutations wait: the queue is at its limit.
      const second = server.post(
        '/v1/push',
        { clientId: 'c2', mutations: [put(1, 'b'), put(2, 'c')] },
        token,
      );
      await expect.poll(() => queuedMutations(server.url)).toBe(2);

      const refused = await server.post(
        '/v1/push',
        { clientId: 'c3', mutations: [put(1, 'd')] },
        token,
      );
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('unavailable');
      expect(refused.headers.get('retry-after')).toBe('1');
      // The app's own writes still wait their turn.
      const serverWrite = server.write([
        { space: 'u', collection: 'items', key: 's', op: 'put', value: { key: 's' } },
      ]);

      control.release();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      expect((await serverWrite)[0]?.status).toBe('applied');

      const resent = await server.post(
        '/v1/push',
        { clientId: 'c3', mutations: [put(1, 'd')] },
        token,
      );
      expect(resent.status).toBe(200);
      expect(resent.body.results).toEqual([{ id: 1, status: 'applied', version: 5 }]);
      const pulled = await server.post('/v1/pull', { clientId: 'c3', cursor: null }, token);
      expect(pulled.body.changes.map((c: { key: string }) => c.key)).toEqual([
        'a',
        'b',
        'c',
        's',
        'd',
      ]);
    } finally {
      control.release();
      await server.stop();
    }
  });
});
