/**
 * An event stream served on Node keeps only what it needs for the hours it may live: once
 * it owns the response, the response's one `close` listener is the stream's own (the HTTP
 * adapter's, which holds the request's web `Request`, is taken off), and the stream still
 * gets pokes and still ends when its client hangs up.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROUTES } from '@ferry/protocol';
import { describe, expect, it } from 'vitest';
import { createFerryServer, createLogger, nodeListener } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { TEST_SECRET } from './support/server.ts';
import { SseReader } from './support/sse.ts';

const kind = DATABASE_KINDS.at(-1)!;

describe('an event stream served on Node', () => {
  it('keeps only its own close listener, gets pokes, and ends when the client hangs up', async () => {
    const { database, dispose } = await kind.create();
    const ferry = await createFerryServer({
      database,
      jwtSecret: TEST_SECRET,
      logger: createLogger('silent'),
    });
    const responses = new Map<string, ServerResponse>();
    const handle = nodeListener(ferry);
    const http = createServer((request, response) => {
      responses.set(new URL(request.url ?? '/', 'http://x').pathname, response);
      handle(request, response);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const metrics = () => fetch(`${url}${ROUTES.metrics}`).then((r) => r.text());
    try {
      const token = await ferry.signToken({ userId: 'u', spaces: ['s'] }, 600);
      const stream = await fetch(`${url}${ROUTES.events}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(stream.status).toBe(200);
      const events = new SseReader(stream);
      await events.until(() => events.pokes.length > 0);

      expect(responses.get(ROUTES.events)?.listenerCount('close')).toBe(1);
      // A request that is not a stream keeps the adapter's listener: only streams drop it.
      await fetch(`${url}${ROUTES.healthz}`);
      expect(responses.get(ROUTES.healthz)?.listenerCount('close')).toBe(1);

      const seen = events.pokes.length;
      await ferry.write([{ space: 's', collection: 'c', key: 'k', op: 'put', value: { n: 1 } }]);
      await events.until(() => events.pokes.length > seen);

      expect(await metrics()).toMatch(/ferry_event_streams 1/);
      await events.close();
      await expect.poll(metrics).toMatch(/ferry_event_streams 0/);
    } finally {
      await ferry.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await dispose();
    }
  });
});
