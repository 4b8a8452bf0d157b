/**
 * Ferry inside a Hono app that issues its own HS256 tokens. Ferry is mounted under
 * /api/sync with `basePath`, because Hono passes the full path through.
 */

import { createFerryServer, createLogger, createPGliteDatabase } from '@ferry/server';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { addressOf, exampleSecret, type RunningExample, runIfMain } from '../shared.ts';

export async function startHonoExample(
  port = 0,
  jwtSecret = exampleSecret(),
): Promise<RunningExample> {
  const database = await createPGliteDatabase();
  const ferry = await createFerryServer({
    database,
    jwtSecret,
    basePath: '/api/sync',
    logger: createLogger('warn'),
  });

  const app = new Hono();
  app.all('/api/sync/*', (c) => ferry.fetch(c.req.raw));
  // The app's own sign-in; a real one would check a password or an OAuth code first.
  app.post('/api/login', async (c) => {
    const body = await c.req.json().catch(() => ({}));
    const user = typeof body.user === 'string' ? body.user : '';
    if (!/^[a-z]{1,32}$/.test(user))
      return c.json({ error: 'user must be 1-32 lower-case letters' }, 400);
    return c.json({
      token: await ferry.signToken({ userId: user, spaces: [user, 'lobby'] }, 3600),
    });
  });
  app.get('/', (c) => c.text('A Hono app with Ferry mounted at /api/sync'));

  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const url = addressOf(server);
  return {
    url,
    syncUrl: `${url}/api/sync`,
    async close() {
      await ferry.close();
      await new Promise((r) => server.close(r));
      await database.close();
    },
  };
}

runIfMain(import.meta.url, () => startHonoExample(Number(process.env.PORT ?? 3000)));
