/**
 * Vitest's global setup of the Chromium project: a real Ferry server for the browser tests
 * that sync, on the first database kind (PostgreSQL when it answers, else PGlite), in dev
 * mode so that a page mints its own tokens (`POST /v1/dev/token` with a user and spaces).
 * The tests run on Vitest's origin and the server listens on another port, so it answers
 * cross-origin requests as a server behind a CORS-allowing proxy would. Its base URL
 * reaches the tests as `inject('ferryServerUrl')`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import buildPackages from '../../../../test/support/build-packages.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Ferry server the Chromium tests sync with, e.g. `http://127.0.0.1:40123`. */
    ferryServerUrl: string;
  }
}

export default async function startFerryServer(project: TestProject) {
  // Global setups load outside the `@ferry/source` condition, so the server's imports of
  // Ferry's packages resolve to their compiled output: build it before loading them (a
  // clean clone has none yet, and this setup may load before the root one has run).
  buildPackages();
  const { createFerryServer, nodeListener } = await import('../../../server/src/index.ts');
  const { DATABASE_KINDS } = await import('../../../server/test/support/databases.ts');
  const { TEST_SECRET } = await import('../../../server/test/support/server.ts');
  const { database, dispose } = await DATABASE_KINDS[0]!.create();
  const ferry = await createFerryServer({
    database,
    jwtSecret: TEST_SECRET,
    dev: true,
    logger: pino({ level: 'silent' }),
  });
  const listener = nodeListener(ferry);
  const http = createServer((request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-expose-headers', '*');
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, PUT, DELETE',
        'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
        'access-control-max-age': '600',
      });
      response.end();
      return;
    }
    listener(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  project.provide('ferryServerUrl', `http://127.0.0.1:${port}`);

  return async () => {
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    await ferry.close();
    http.closeAllConnections();
    await closed;
    await dispose();
  };
}
