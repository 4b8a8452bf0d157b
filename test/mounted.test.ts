/**
 * The server's handler mounted under a path prefix inside another app (given the app's Node
 * bindings, as docs/embedding.md shows), with a client pointed at that prefix; the host app's
 * middleware still applies to Ferry's responses, event streams included.
 */

import { createClient, createMemoryStore } from '@ferry/client';
import { createFerryServer, createPGliteDatabase } from '@ferry/server';
import { type HttpBindings, serve } from '@hono/node-server';
import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../packages/server/test/support/server.ts';

describe('mounted under a prefix', () => {
  it('serves /sync/v1/* beside the host app’s own routes', async () => {
    const database = await createPGliteDatabase();
    const ferry = await createFerryServer({
      database,
      jwtSecret: TEST_SECRET,
      basePath: '/sync',
      logger: pino({ level: 'silent' }),
    });
    const app = new Hono<{ Bindings: HttpBindings }>();
    // The host app's own middleware shapes Ferry's responses too, event streams included.
    app.use('*', async (c, next) => {
      await next();
      c.res.headers.set('x-host-app', 'yes');
    });
    app.get('/', (c) => c.text('host app'));
    app.all('/sync/*', (c) => ferry.fetch(c.req.raw, c.env));
    const http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => http.once('listening', r));
    const { port } = http.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    try {
      expect(await (await fetch(`${base}/`)).text()).toBe('host app');
      expect((await fetch(`${base}/v1/pull`, { method: 'POST' })).status).toBe(404);
      const token = await ferry.signToken({ userId: 'mia' }, 60);
      const client = createClient<{ notes: { t: string } }>({
        url: `${base}/sync`,
        store: createMemoryStore(),
        getToken: () => token,
        defaultSpace: 'mia',
      });
      await client.collection('notes').put('n', { t: 'hello' });
      const result = await client.sync();
      expect(result.pushed).toBe(1);
      expect(client.getStatus().pendingCount).toBe(0);
      const observer = createClient<{ notes: { t: string } }>({
        url: `${base}/sync`,
        store: createMemoryStore(),
        getToken: () => token,
        defaultSpace: 'mia',
      });
      await observer.sync();
      expect(await observer.collection('notes').get('n')).toEqual({ t: 'hello' });
      const events = await fetch(`${base}/sync/v1/events`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(events.status).toBe(200);
      expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(events.headers.get('x-host-app')).toBe('yes');
      await events.body?.cancel();
      await Promise.all([client.close(), observer.close()]);
    } finally {
      await ferry.close();
      await new Promise((r) => http.close(r));
      await database.close();
    }
  });
});
