/**
 * Graceful shutdown: the listener stops accepting, a push in flight still commits and is
 * answered, event streams end with a retry hint, and requests that reach a draining server
 * are told to retry elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { createFerryServer, createLogger, listen } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { TEST_SECRET } from './support/server.ts';
import { SseReader } from './support/sse.ts';

describe.each(DATABASE_KINDS)('graceful shutdown on $name', (kind) => {
  it('finishes the push in flight, ends streams with a retry hint, and refuses new work with 503', async () => {
    const { database, dispose } = await kind.create();
    let entered = () => {};
    const ruleEntered = new Promise<void>((r) => {
      entered = r;
    });
    let releaseRule = () => {};
    const gate = new Promise<void>((r) => {
      releaseRule = r;
    });
    const ferry = await createFerryServer({
      database,
      jwtSecret: TEST_SECRET,
      logger: createLogger('silent'),
      rules: {
        // Holds one write inside its transaction, so a push is in flight when shutdown starts.
        async beforeWrite(_ctx, write) {
          if (write.key === 'slow') {
            entered();
            await gate;
          }
          return undefined;
        },
      },
    });
    const http = await listen(ferry);
    try {
      const token = await ferry.signToken({ userId: 'sam' }, 60);
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const stream = new SseReader(await fetch(`${http.url}/v1/events`, { headers }));
      await stream.until(() => stream.pokes.length === 1);

      const inFlight = fetch(`${http.url}/v1/push`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          clientId: 'c-slow',
          mutations: [{ id: 1, space: 'sam', collection: 'c', key: 'slow', op: 'put', value: {} }],
        }),
      });
      await ruleEntered;
      const closing = http.close();

      // The stream is told when to come back, then ends.
      await stream.closed;
      expect(stream.records.at(-1)?.retry).toBeGreaterThanOrEqual(2000);

      // A request that still reaches the draining server is sent elsewhere.
      const late = await ferry.fetch(
        new Request('http://replica/v1/pull', {
          method: 'POST',
          headers,
          body: '{"clientId":"c-late","cursor":null}',
        }),
      );
      expect(late.status).toBe(503);
      expect(late.headers.get('retry-after')).toBe('1');
      expect((await ferry.fetch(new Request('http://replica/readyz'))).status).toBe(503);

      releaseRule();
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect((await answered.json()).results[0].status).toBe('applied');
      await closing;
      await expect(fetch(`${http.url}/healthz`)).rejects.toThrow();
    } finally {
      releaseRule();
      await http.close().catch(() => {});
      await dispose();
    }
  });
});
