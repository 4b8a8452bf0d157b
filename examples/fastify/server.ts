/**
 * Ferry inside a Fastify app. Fastify parses bodies before route handlers run, so Ferry is
 * handed the raw request in an `onRequest` hook, before any parsing; Fastify keeps the full
 * path in `req.url`, so Ferry gets a `basePath`.
 */
import { createFerryServer, createLogger, createPGliteDatabase, nodeListener } from '@ferry/server';
import Fastify from 'fastify';
import type { RunningExample } from '../shared.ts';
import { exampleSecret, runIfMain } from '../shared.ts';

const MOUNT = '/sync';

export async function startFastifyExample(port = 0, jwtSecret = exampleSecret()) {
  const database = await createPGliteDatabase();
  const ferry = await createFerryServer({
    database,
    jwtSecret,
    basePath: MOUNT,
    logger: createLogger('warn'),
  });
  const ferryListener = nodeListener(ferry);

  const app = Fastify();
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url !== MOUNT && !request.url.startsWith(`${MOUNT}/`)) return done();
    reply.hijack();
    ferryListener(request.raw, reply.raw);
  });
  app.get('/', async () => 'A Fastify app with Ferry mounted at /sync');

  const url = (await app.listen({ port, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const example: RunningExample & { token(user: string): Promise<string> } = {
    url,
    syncUrl: `${url}${MOUNT}`,
    token: (user) => ferry.signToken({ userId: user }, 3600),
    async close() {
      await ferry.close();
      await app.close();
      await database.close();
    },
  };
  return example;
}

runIfMain(import.meta.url, () => startFastifyExample(Number(process.env.PORT ?? 3000)));
