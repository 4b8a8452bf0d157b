/**
 * Ferry inside an Express app that signs users in with a session cookie. Ferry does not
 * see tokens at all: `customAuth` looks the cookie up in the app's session store.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import {
  createFerryServer,
  createLogger,
  createPGliteDatabase,
  customAuth,
  nodeListener,
} from '@ferry/server';
import express from 'express';
import { addressOf, type RunningExample, runIfMain } from '../shared.ts';

export async function startExpressExample(port = 0): Promise<RunningExample> {
  // The app's own session store; a real app would use its database or Redis.
  const sessions = new Map<string, { userId: string }>();
  const database = await createPGliteDatabase();
  const ferry = await createFerryServer({
    database,
    logger: createLogger('warn'),
    auth: customAuth(async (request) => {
      const sid = /(?:^|;\s*)sid=([A-Za-z0-9_-]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
      const session = sid ? sessions.get(sid) : undefined;
      return session ? { userId: session.userId, spaces: [session.userId, 'everyone'] } : null;
    }),
  });

  const app = express();
  // Express strips the mount path, so Ferry sees /v1/... and needs no basePath.
  // It is mounted before any body parser: Ferry reads and limits bodies itself.
  app.use('/sync', nodeListener(ferry));
  app.use(express.json());
  app.post('/login', (req, res) => {
    const user = typeof req.body?.user === 'string' ? req.body.user : '';
    if (!/^[a-z]{1,32}$/.test(user)) {
      res.status(400).json({ error: 'user must be 1-32 lower-case letters' });
      return;
    }
    const sid = randomBytes(18).toString('base64url');
    sessions.set(sid, { userId: user });
    res.cookie('sid', sid, { httpOnly: true, sameSite: 'lax' }).json({ user });
  });
  app.get('/', (_req, res) => {
    res.type('text').send('An Express app with Ferry mounted at /sync');
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const url = addressOf(server);
  return {
    url,
    syncUrl: `${url}/sync`,
    async close() {
      await ferry.close();
      await new Promise((r) => server.close(r));
      await database.close();
    },
  };
}

runIfMain(import.meta.url, () => startExpressExample(Number(process.env.PORT ?? 3000)));
